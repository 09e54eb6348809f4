/* multi_queue.c: the scheduling side of the multi handle: which request
 * starts next (retries whose backoff is over first, then new requests in
 * the order added, each only when its class has budget), how many may be
 * in flight (rate × median latency, with a margin) and how long the run
 * loop may sleep before one of those answers changes. */
#include <math.h>

#include "util.h"

#include "http/multi_int.h"

/* The window's margin over rate × latency: latency varies, and a window
 * cut exactly to the median would fall short whenever it rises. */
#define WINDOW_MARGIN 1.25
#define WINDOW_EXTRA  2

void ferry_multi__push_fresh(struct ferry_multi *m, struct ferry_multi__req *r)
{
	struct ferry_multi__fifo *q = &m->fresh[r->cls];

	r->next = NULL;
	if (q->tail)
		q->tail->next = r;
	else
		q->head = r;
	q->tail = r;
	m->queued++;
}

/* Sorted by not_before_us, and after any retry with the same instant, so
 * requests sent back by one 429 keep their order. */
void ferry_multi__push_retry(struct ferry_multi *m, struct ferry_multi__req *r,
                             int64_t not_before_us)
{
	struct ferry_multi__req **p = &m->retry;

	r->not_before_us = not_before_us;
	while (*p && (*p)->not_before_us <= not_before_us)
		p = &(*p)->next;
	r->next = *p;
	*p = r;
	m->queued++;
}

static struct ferry_multi__req *pop_fresh(struct ferry_multi *m, int cls)
{
	struct ferry_multi__fifo *q = &m->fresh[cls];
	struct ferry_multi__req *r = q->head;

	q->head = r->next;
	if (!q->head)
		q->tail = NULL;
	r->next = NULL;
	m->queued--;
	return r;
}

struct ferry_multi__req *ferry_multi__pick(struct ferry_multi *m,
                                           int64_t now_us,
                                           const int64_t wait_us[2])
{
	struct ferry_multi__req **p, *r, *a, *b;

	for (p = &m->retry; (r = *p) && r->not_before_us <= now_us;
	     p = &r->next) {
		if (wait_us[r->cls] > 0)
			continue;
		*p = r->next;
		r->next = NULL;
		m->queued--;
		return r;
	}
	a = wait_us[FERRY_HTTP_READ] <= 0 ? m->fresh[FERRY_HTTP_READ].head
	                                  : NULL;
	b = wait_us[FERRY_HTTP_WRITE] <= 0 ? m->fresh[FERRY_HTTP_WRITE].head
	                                   : NULL;
	if (a && (!b || a->seq < b->seq))
		return pop_fresh(m, FERRY_HTTP_READ);
	if (b)
		return pop_fresh(m, FERRY_HTTP_WRITE);
	return NULL;
}

struct ferry_multi__req *ferry_multi__pop_queued(struct ferry_multi *m)
{
	struct ferry_multi__req *r = m->retry;

	if (r) {
		m->retry = r->next;
		r->next = NULL;
		m->queued--;
		return r;
	}
	if (m->fresh[FERRY_HTTP_READ].head)
		return pop_fresh(m, FERRY_HTTP_READ);
	if (m->fresh[FERRY_HTTP_WRITE].head)
		return pop_fresh(m, FERRY_HTTP_WRITE);
	return NULL;
}

void ferry_multi__record_latency(struct ferry_multi *m, int64_t us)
{
	m->latency_us[m->latency_next] = us > 0 ? us : 0;
	m->latency_next = (m->latency_next + 1) % FERRY_MULTI__LATENCY_SAMPLES;
	if (m->nlatency < FERRY_MULTI__LATENCY_SAMPLES)
		m->nlatency++;
	ferry_multi__update_target(m);
}

static int64_t median_latency_us(const struct ferry_multi *m)
{
	int64_t v[FERRY_MULTI__LATENCY_SAMPLES], t;
	unsigned i, j;

	for (i = 0; i < m->nlatency; i++) {
		t = m->latency_us[i];
		for (j = i; j > 0 && v[j - 1] > t; j--)
			v[j] = v[j - 1];
		v[j] = t;
	}
	return v[m->nlatency / 2];
}

/*
 * target = ceil(rate × median latency × 1.25) + 2, within 1..max_in_flight.
 * `rate` is the sum of the rates of the classes that have work (the write
 * rate alone for a loader that only writes, and the write rate when
 * nothing is pending); a class without a limit lets the window open to
 * max_in_flight. Until an attempt has been answered the window is
 * FERRY_MULTI__INITIAL_WINDOW: a few requests measure the latency
 * without flooding a destination whose speed is not known yet.
 */
void ferry_multi__update_target(struct ferry_multi *m)
{
	double rate = 0.0, want;
	bool any = false, unlimited = false;
	int c, t;

	for (c = 0; c < 2; c++) {
		if (!m->active[c])
			continue;
		any = true;
		if (m->rl[c].limit == 0)
			unlimited = true;
		rate += m->rate[c];
	}
	if (!any) {
		unlimited = m->rl[FERRY_HTTP_WRITE].limit == 0;
		rate = m->rate[FERRY_HTTP_WRITE];
	}
	if (m->nlatency == 0) {
		t = FERRY_MULTI__INITIAL_WINDOW;
	} else if (unlimited) {
		t = m->max_in_flight;
	} else {
		want = ceil(rate * (double)median_latency_us(m) / 1e6 *
		            WINDOW_MARGIN) +
		       WINDOW_EXTRA;
		t = want >= (double)m->max_in_flight ? m->max_in_flight
		                                     : (int)want;
	}
	if (t > m->max_in_flight)
		t = m->max_in_flight;
	m->target = t < 1 ? 1 : t;
}

int64_t ferry_multi__next_wake_us(const struct ferry_multi *m, int64_t now_us,
                                  int64_t deadline_us)
{
	const struct ferry_multi__req *r;
	bool waiting[2];
	int64_t wake = deadline_us, w;
	int c;

	/* A full window opens only when a transfer ends: curl wakes us. */
	if (m->in_flight >= m->target)
		return wake;
	waiting[FERRY_HTTP_READ] = m->fresh[FERRY_HTTP_READ].head != NULL;
	waiting[FERRY_HTTP_WRITE] = m->fresh[FERRY_HTTP_WRITE].head != NULL;
	for (r = m->retry; r; r = r->next) {
		if (r->not_before_us <= now_us) {
			waiting[r->cls] = true;
		} else {
			if (r->not_before_us < wake)
				wake = r->not_before_us;
			break;
		}
	}
	for (c = 0; c < 2; c++) {
		if (!waiting[c])
			continue;
		w = ferry_ratelimit_wait_us(&m->rl[c], now_us);
		if (w > 0 && now_us + w < wake)
			wake = now_us + w;
	}
	return wake;
}
