/* halt.c: the sliding error window. The last N outcomes of writes (Attio
 * wrote the record, or refused it) are kept in a ring; when the refusals
 * among them pass the configured fraction, the run halts: a mapping that
 * sends every record to the conflict queue is better stopped after a few
 * hundred records than after a million. */
#include "util.h"

#include "load_int.h"

void ld_halt_init(struct ld_halt *h, int window)
{
	memset(h, 0, sizeof(*h));
	h->cap = window > 0 ? window : LD_HALT_WINDOW;
	h->failed = ferry_xcalloc((size_t)h->cap, sizeof(*h->failed));
	h->msg = ferry_xcalloc((size_t)h->cap, sizeof(*h->msg));
}

void ld_halt_free(struct ld_halt *h)
{
	int i;

	for (i = 0; h->msg && i < h->cap; i++)
		free(h->msg[i]);
	free(h->msg);
	free(h->failed);
	memset(h, 0, sizeof(*h));
}

bool ld_halt_push(struct ld_halt *h, bool failed, const char *msg, double rate)
{
	int need;

	if (h->n == h->cap) {
		/* The oldest outcome leaves the window. */
		h->fails -= h->failed[h->pos] ? 1 : 0;
		free(h->msg[h->pos]);
		h->msg[h->pos] = NULL;
	} else {
		h->n++;
	}
	h->failed[h->pos] = failed;
	h->msg[h->pos] = failed ? ferry_xstrdup(msg ? msg : "") : NULL;
	h->fails += failed ? 1 : 0;
	h->pos = (h->pos + 1) % h->cap;
	need = h->cap < LD_HALT_MIN_SEEN ? h->cap : LD_HALT_MIN_SEEN;
	return h->n >= need && (double)h->fails > rate * (double)h->n;
}

void ld_halt_top(const struct ld_halt *h, char *msg, size_t cap, int64_t *count)
{
	int i, j, best = -1, best_n = 0;

	for (i = 0; i < h->cap; i++) {
		int n = 0;

		if (!h->msg[i])
			continue;
		for (j = 0; j < h->cap; j++)
			n += h->msg[j] && !strcmp(h->msg[i], h->msg[j]);
		if (n > best_n) {
			best = i;
			best_n = n;
		}
	}
	snprintf(msg, cap, "%s", best >= 0 ? h->msg[best] : "");
	*count = best_n;
}
