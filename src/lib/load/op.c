/* op.c: what each write did at the destination, for rollback and sync to
 * undo (the ledger's op: created, updated, appended, existed), and the
 * values a record the plan matched in Attio had before ferry's first
 * write to it (ledger_prior), read and committed before that write goes
 * out. An assert does not say whether it made the record: the record's
 * created_at does, read against the time the record's pending row was
 * committed, brought to Attio's clock by the answer's Date header (so a
 * skewed local clock does not matter); a record that cannot be shown to
 * be ferry's is "existed", which rollback leaves. */
#include "util.h"

#include "load_int.h"

static int digits(const char *s, int n, int64_t *out)
{
	int64_t v = 0;
	int i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* "2026-01-05T10:00:00.123456789Z" (Attio's, and the ledger's with
 * microseconds) as microseconds since 1970; -1 when it is not one. */
static int parse_utc(const char *s, int64_t *out)
{
	int64_t y, mo, d, h, mi, sec, frac = 0, scale = 100000;
	size_t i;

	if (!s || strlen(s) < 19 || s[4] != '-' || s[7] != '-' ||
	    (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':' ||
	    digits(s, 4, &y) < 0 || digits(s + 5, 2, &mo) < 0 ||
	    digits(s + 8, 2, &d) < 0 || digits(s + 11, 2, &h) < 0 ||
	    digits(s + 14, 2, &mi) < 0 || digits(s + 17, 2, &sec) < 0 ||
	    mo < 1 || mo > 12)
		return -1;
	i = 19;
	if (s[i] == '.')
		for (i++; s[i] >= '0' && s[i] <= '9'; i++, scale /= 10)
			frac += scale > 0 ? (s[i] - '0') * scale : 0;
	if (s[i] != 'Z' && s[i] != '\0')
		return -1; /* Attio answers in UTC; anything else is unknown */
	*out = ((ferry_clock_days_from_civil(y, (int)mo, (int)d) * 86400 +
	         h * 3600 + mi * 60 + sec) *
	        1000000) +
	       frac;
	return 0;
}

void ld_op_start(struct ld_rec *rec)
{
	rec->pend_mono_us = ferry_clock_mono_us();
	rec->old_pend_wall_us = 0;
	if (rec->resume &&
	    parse_utc(rec->old.updated_at, &rec->old_pend_wall_us) < 0)
		rec->old_pend_wall_us = 0;
}

bool ld_op_made_here(const struct ld_rec *rec,
                     const struct ferry_http_response *resp,
                     const char *created_at)
{
	char date[64];
	time_t d;
	int64_t made, answered, since;

	/* Without Attio's clock the answer cannot be placed: existed. */
	if (parse_utc(created_at, &made) < 0 ||
	    ferry_http_response_header(resp, "Date", date, sizeof(date)) < 0 ||
	    ferry_clock_parse_http_date(date, &d) < 0)
		return false;
	/* The Date is truncated to its second and was set before the
	 * answer arrived: Attio's clock at the pending commit is at least
	 * `answered` less the time elapsed here since. */
	answered = (int64_t)d * 1000000;
	since = ferry_clock_mono_us() - rec->pend_mono_us;
	if (rec->pend_mono_us && made >= answered - since - LD_OP_MARGIN_US)
		return true;
	/* Made by an earlier run's attempt, soon after its pending row. */
	if (rec->resume && rec->old_pend_wall_us) {
		since = ferry_clock_wall_us() - rec->old_pend_wall_us;
		if (made >= answered - since - LD_OP_MARGIN_US &&
		    made <= answered - since + LD_OP_WINDOW_US)
			return true;
	}
	return false;
}

void ld_op_answered(struct ld_rec *rec, const struct ferry_http_response *resp,
                    const json_t *item)
{
	/* The record ferry wrote before keeps what the first write did
	 * ("" when that was before ferry recorded it). */
	if (rec->had_old && rec->dest_id[0] &&
	    !strcmp(rec->old.dest_id, rec->dest_id)) {
		snprintf(rec->op, sizeof(rec->op), "%s", rec->old.op);
		return;
	}
	snprintf(rec->op, sizeof(rec->op), "%s",
	         ld_op_made_here(
	             rec, resp,
	             json_string_value(json_object_get(item, "created_at")))
	             ? "created"
	             : "existed");
}

int ld_prior_needed(struct ld_run *run, struct ld_rec *rec,
                    const char *record_id, bool *need)
{
	json_t *prior = NULL;
	int error;

	*need = false;
	snprintf(rec->update_id, sizeof(rec->update_id), "%s", record_id);
	if (rec->had_old && !strcmp(rec->old.dest_id, record_id)) {
		/* Ferry wrote it before: its values now are ferry's. */
		snprintf(rec->op, sizeof(rec->op), "%s", rec->old.op);
		return 0;
	}
	error = ferry_ledger_prior_get(&prior, run->ws, rec->obj->name,
	                               rec->source_id);
	json_decref(prior);
	if (error == 0) {
		snprintf(rec->op, sizeof(rec->op), "updated");
		return 0;
	}
	if (error != FERRY_ENOTFOUND)
		return error;
	*need = true;
	return 0;
}

int ld_prior_read(struct ld_run *run, struct ld_rec *rec,
                  const struct ferry_http_response *resp,
                  struct ferry_attio_result *res)
{
	json_t *root = NULL, *values;

	memset(res, 0, sizeof(*res));
	res->http_status = resp->status;
	if (resp->status == 404) {
		snprintf(res->code, sizeof(res->code), "not_found");
		snprintf(res->message, sizeof(res->message),
		         "the %s record %s the plan matched is no longer in "
		         "Attio (deleted there since the plan); nothing was "
		         "written",
		         rec->dest, rec->update_id);
		return 1;
	}
	if (resp->status >= 200 && resp->status <= 299 && resp->body.len)
		root = json_loadb(resp->body.ptr, resp->body.len, 0, NULL);
	values = json_object_get(json_object_get(root, "data"), "values");
	if (!json_is_object(values)) {
		if (ferry_attio_parse_written(res, resp->status, resp->body.ptr,
		                              resp->body.len,
		                              "record_id") == 0) {
			snprintf(res->code, sizeof(res->code),
			         "invalid_response");
			snprintf(res->message, sizeof(res->message),
			         "Attio answered HTTP %ld to reading %s record "
			         "%s without data.values",
			         resp->status, rec->dest, rec->update_id);
		}
		json_decref(root);
		return 1;
	}
	rec->prior = json_incref(values);
	json_decref(root);
	rec->wait_next = run->prior_wait;
	run->prior_wait = rec;
	return 0;
}

int ld_prior_put_all(struct ld_run *run)
{
	struct ld_rec *rec;
	int error = 0;

	for (rec = run->prior_wait; rec && !error; rec = rec->wait_next) {
		error = ferry_ledger_prior_put(run->ws, rec->obj->name,
		                               rec->source_id, rec->dest,
		                               rec->update_id, rec->prior);
		/* The pending row now names the record, updated: a run
		 * killed after the PATCH went out can be rolled back. */
		snprintf(rec->pend.dest_id, sizeof(rec->pend.dest_id), "%s",
		         rec->update_id);
		snprintf(rec->pend.op, sizeof(rec->pend.op), "updated");
		if (!error)
			error = ferry_ledger_put(run->ws, &rec->pend);
	}
	return error;
}

int ld_prior_send_all(struct ld_run *run)
{
	struct ld_rec *rec, *next;
	int error = 0;

	rec = run->prior_wait;
	run->prior_wait = NULL;
	for (; rec; rec = next) {
		next = rec->wait_next;
		rec->wait_next = NULL;
		json_decref(rec->prior);
		rec->prior = NULL;
		rec->need_prior = false;
		snprintf(rec->op, sizeof(rec->op), "updated");
		if (!error && !run->fatal)
			error = ld_send_write(run, rec);
	}
	return error;
}
