/* ratelimit.c: the sliding-window limiter of http.h. A destination states
 * its budget as "N requests per second"; ferry keeps the times of the last
 * `limit` events in a ring and lets one more through only once the oldest
 * of them has left the window, so no window of `window_us` ever holds more
 * than `limit` events, however the requests bunch up. */
#include "util.h"

#include "ferry/http.h"
#include "http/multi_int.h"

/*
 * The ring: while fewer than `limit` events were recorded they sit in
 * slots 0..used-1 and the oldest is slot 0 (`next` stays 0). Once the ring
 * is full, slot `next` holds the oldest event; a new event overwrites it
 * and `next` moves on. So the k-th event ever recorded (from 0) lands in
 * slot k % limit, which lets the multi handle find it again to move it to
 * when it was really sent. A limit of 0 means "no limit": only a block
 * set by a 429 applies.
 *
 * A moved event may be later than the events recorded after it. The next
 * event still waits for the oldest recorded one (slot `next`) to leave the
 * window, which is then the later of the two: the wait only grows, and no
 * event leaves the ring before its time has left the window.
 */

void ferry_ratelimit_init(struct ferry_ratelimit *rl, unsigned limit,
                          int64_t window_us)
{
	memset(rl, 0, sizeof(*rl));
	rl->limit = limit;
	rl->window_us = window_us > 0 ? window_us : 1000000;
	if (limit)
		rl->ring = ferry_xcalloc(limit, sizeof(*rl->ring));
}

void ferry_ratelimit_release(struct ferry_ratelimit *rl)
{
	if (!rl)
		return;
	free(rl->ring);
	memset(rl, 0, sizeof(*rl));
}

int64_t ferry_ratelimit_wait_us(const struct ferry_ratelimit *rl,
                                int64_t now_us)
{
	int64_t wait = 0;

	if (rl->blocked_until_us > now_us)
		wait = rl->blocked_until_us - now_us;
	if (rl->limit && rl->used == rl->limit) {
		int64_t leaves = rl->ring[rl->next] + rl->window_us - now_us;

		if (leaves > wait)
			wait = leaves;
	}
	return wait;
}

void ferry_ratelimit_take(struct ferry_ratelimit *rl, int64_t now_us)
{
	if (!rl->limit)
		return;
	if (rl->used < rl->limit) {
		rl->ring[rl->used++] = now_us;
		return;
	}
	rl->ring[rl->next] = now_us;
	rl->next = (rl->next + 1) % rl->limit;
}

void ferry_ratelimit_block_until(struct ferry_ratelimit *rl, int64_t until_us)
{
	if (until_us > rl->blocked_until_us)
		rl->blocked_until_us = until_us;
}

void ferry_ratelimit__spread(struct ferry_ratelimit *rl, int64_t end_us)
{
	unsigned i, slot;
	int64_t at;

	if (!rl->limit)
		return;
	if (rl->used < rl->limit) {
		/* Full from now on: the missing oldest events are the
		 * spread's, in the slots the next takes would fill, so the
		 * k-th take still lands in slot k % limit. */
		for (i = rl->used; i < rl->limit; i++)
			rl->ring[i] = INT64_MIN;
		rl->next = rl->used;
		rl->used = rl->limit;
	}
	for (i = 0; i < rl->limit; i++) {
		slot = (rl->next + i) % rl->limit;
		at = end_us - rl->window_us +
		     (int64_t)i * rl->window_us / (int64_t)rl->limit;
		if (at > rl->ring[slot])
			rl->ring[slot] = at;
	}
}

void ferry_ratelimit__restamp(struct ferry_ratelimit *rl, uint64_t take,
                              uint64_t takes, int64_t at_us)
{
	unsigned slot;

	if (!rl->limit || take >= takes || takes - take > rl->limit)
		return;
	slot = (unsigned)(take % rl->limit);
	if (at_us > rl->ring[slot])
		rl->ring[slot] = at_us;
}
