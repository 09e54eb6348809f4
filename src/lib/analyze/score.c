/* score.c: the verdicts. How many writes a run would make and how long
 * that takes at the destination's write rate; whether that fits the plan;
 * a status per object (auto, partial, manual_review) with its reason; and
 * the overall readiness score with the arithmetic that produced it. The
 * formula is documented in docs/internals/analyze.md. */
#include "util.h"

#include <math.h>

#include "analyze_int.h"
#include "store/store.h"

#define DEFAULT_WRITE_RATE 25.0
/* What one risk costs at most, by severity. */
#define WEIGHT_HIGH   20.0
#define WEIGHT_MEDIUM 8.0
#define WEIGHT_LOW    2.0
/* What the records of objects with no destination cost at most. */
#define WEIGHT_UNMAPPED 10.0

static int count_keys(struct analyze *an, const char *kind, const char *object,
                      int64_t *out)
{
	sqlite3_stmt *st = NULL;
	int error;

	if ((error = ferry_store__prepare(
	         &st, an->ws,
	         "SELECT count(DISTINCT key) FROM temp.analyze_keys WHERE "
	         "kind = ?1 AND (?2 IS NULL OR object = ?2)")) < 0)
		return error;
	ferry_store__bind_text(st, 1, kind);
	ferry_store__bind_text(st, 2, object);
	if (sqlite3_step(st) == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	else
		error = ferry_store__error(an->ws, "cannot count match keys");
	sqlite3_finalize(st);
	return error;
}

static double rate_of(const struct analyze *an)
{
	return an->o->write_rate > 0.0 ? an->o->write_rate : DEFAULT_WRITE_RATE;
}

static bool is_record_object(const char *to)
{
	return strcmp(to, "notes") && strcmp(to, "files");
}

/* Writes per object: one per distinct match key for companies and
 * people (duplicates merge), otherwise one per record not skipped. */
static int object_writes(struct analyze *an)
{
	int64_t companies = 0, people = 0, contacts = 0;
	struct an_object *obj;
	size_t i;
	int error;

	if ((error = count_keys(an, "domain", NULL, &companies)) < 0 ||
	    (error = count_keys(an, "email", NULL, &people)) < 0 ||
	    (error = count_keys(an, "email", "Contact", &contacts)) < 0)
		return error;
	for (i = 0; i < an->n_objs; i++) {
		obj = &an->objs[i];
		if (!obj->rule)
			continue;
		if (obj->kind == AN_ACCOUNT)
			obj->writes = companies;
		else if (obj->kind == AN_CONTACT)
			obj->writes = contacts;
		else if (obj->kind == AN_LEAD)
			obj->writes = people - contacts;
		else
			obj->writes = obj->count - obj->deleted - obj->skipped -
			              obj->large_files.n;
		if (obj->writes < 0)
			obj->writes = 0;
		an->writes += obj->writes;
		if (is_record_object(obj->rule->to))
			an->dest_records += obj->writes;
	}
	return 0;
}

int an_estimate(struct analyze *an, json_t **out)
{
	char parts[512] = "";
	size_t i, j, len = 0;
	double rate = rate_of(an);
	int64_t seconds;
	json_t *e;
	char *line;
	int error;

	if ((error = object_writes(an)) < 0)
		return ferry_error_wrap(error, "estimating the load");
	/* "19 companies, 68 people": writes per destination, load order */
	for (i = 0; i < an->n_objs; i++) {
		const struct an_object_rule *r = an->objs[i].rule;
		int64_t n = 0;
		bool first = true;

		if (!r)
			continue;
		for (j = 0; j < an->n_objs; j++) {
			if (!an->objs[j].rule ||
			    strcmp(an->objs[j].rule->to, r->to))
				continue;
			first = first && j >= i;
			n += an->objs[j].writes;
		}
		if (!first || len >= sizeof(parts))
			continue;
		len += (size_t)snprintf(parts + len, sizeof(parts) - len,
		                        "%s%s %s", len ? ", " : "", an_num(n).s,
		                        r->to);
	}
	seconds = (int64_t)ceil((double)an->writes / rate);
	line =
	    ferry_xasprintf("~%s writes at %g/s ≈ %s%s%s%s",
	                    an_num(an->writes).s, rate, an_duration(seconds).s,
	                    *parts ? " (" : "", parts, *parts ? ")" : "");
	e = json_object();
	json_object_set_new(e, "writes", json_integer(an->writes));
	json_object_set_new(e, "write_rate", an_rate_json(rate));
	json_object_set_new(e, "seconds", json_integer(seconds));
	json_object_set_new(e, "explanation", json_string(line));
	free(line);
	*out = e;
	return 0;
}

void an_risks_volume(struct analyze *an)
{
	int64_t limit = an->o->record_limit;

	if (limit <= 0) {
		an_risk_add(
		    an, "volume_over_plan", "low", NULL, 0, NULL,
		    "Check your plan's record limit in Attio (Settings, "
		    "Billing, Usage) and set destination.record_limit "
		    "in ferry.yaml so analyze can check it.",
		    "Attio plan limit unknown: the load would create "
		    "%s records; check your plan's record limit",
		    an_num(an->dest_records).s);
		return;
	}
	if (an->dest_records <= limit)
		return;
	an_risk_add(an, "volume_over_plan", "high", NULL,
	            an->dest_records - limit, NULL,
	            "Upgrade the Attio plan before loading, or leave objects "
	            "out in mapping.yaml (to: null) until the load fits.",
	            "Records over the Attio plan's limit of %s: %s (the load "
	            "would create %s)",
	            an_num(limit).s, an_num(an->dest_records - limit).s,
	            an_num(an->dest_records).s);
}

static const char *str(const json_t *r, const char *key)
{
	const char *s = json_string_value(json_object_get(r, key));

	return s ? s : "";
}

static void status_of(struct analyze *an, struct an_object *obj)
{
	const json_t *worst = NULL, *r;
	size_t i, n = 0;

	if (obj->kind == AN_USER) {
		obj->status = "auto";
		obj->status_reason = ferry_xstrdup(
		    "not copied: record owners are matched to Attio workspace "
		    "members by email");
		return;
	}
	if (!obj->rule) {
		obj->status = "manual_review";
		obj->status_reason =
		    ferry_xstrdup(an_unmapped_reason(obj->name));
		return;
	}
	/* Risks are sorted, most severe first. */
	for (i = 0; i < json_array_size(an->risks); i++) {
		r = json_array_get(an->risks, i);
		if (strcmp(str(r, "object"), obj->name) ||
		    !strcmp(str(r, "severity"), "low"))
			continue;
		if (!worst)
			worst = r;
		n++;
	}
	if (worst && !strcmp(str(worst, "severity"), "high") &&
	    json_integer_value(json_object_get(worst, "affected")) * 2 >
	        obj->count) {
		obj->status = "manual_review";
		obj->status_reason = ferry_xasprintf(
		    "most records carry a high risk: %s", str(worst, "title"));
	} else if (worst) {
		obj->status = "partial";
		obj->status_reason =
		    n > 1 ? ferry_xasprintf("%s (and %zu more risks to decide)",
		                            str(worst, "title"), n - 1)
		          : ferry_xstrdup(str(worst, "title"));
	} else if (obj->rule->note) {
		obj->status = "partial";
		obj->status_reason = ferry_xstrdup(obj->rule->note);
	} else {
		obj->status = "auto";
		obj->status_reason =
		    obj->rule->match
		        ? ferry_xasprintf("mapped 1:1 to %s, matched on %s; no "
		                          "risk needs a decision",
		                          obj->rule->to, obj->rule->match)
		        : ferry_xasprintf("mapped 1:1 to %s; no risk needs a "
		                          "decision",
		                          obj->rule->to);
	}
}

void an_statuses(struct analyze *an)
{
	size_t i;

	for (i = 0; i < an->n_objs; i++)
		status_of(an, &an->objs[i]);
}

/* The share of its base a risk touches: records of its object (or of the
 * org), at most 1; a quarter for risks that count things rather than
 * records. The score takes its square root, so a risk touching 1% of the
 * records costs a tenth of its weight and one touching all of them the
 * whole weight. */
static double share_of(struct analyze *an, const json_t *r)
{
	const char *id = str(r, "id");
	const char *object = str(r, "object");
	int64_t affected = json_integer_value(json_object_get(r, "affected"));
	struct an_object *obj = *object ? an_object_find(an, object) : NULL;
	int64_t base = obj ? obj->count : an->total;

	if (!strcmp(id, "formula_fields") || !strcmp(id, "automation"))
		return 0.25;
	if (base <= 0)
		return 1.0;
	return fmin(1.0, (double)affected / (double)base);
}

json_t *an_score(struct analyze *an)
{
	static const char *const sev[] = {"high", "medium", "low"};
	static const double weight[] = {WEIGHT_HIGH, WEIGHT_MEDIUM, WEIGHT_LOW};
	double cost[3] = {0}, unmapped = 0.0, value;
	int count[3] = {0};
	int64_t unmapped_records = 0;
	size_t i, k;
	bool manual = false;
	const char *status;
	json_t *s = json_object();
	char *line, terms[256] = "";
	size_t len = 0;

	for (i = 0; i < json_array_size(an->risks); i++) {
		const json_t *r = json_array_get(an->risks, i);

		if (json_integer_value(json_object_get(r, "affected")) <= 0)
			continue; /* information only */
		for (k = 0; k < 3; k++)
			if (!strcmp(str(r, "severity"), sev[k]))
				break;
		if (k == 3)
			continue;
		count[k]++;
		cost[k] += weight[k] * sqrt(share_of(an, r));
	}
	for (i = 0; i < an->n_objs; i++) {
		manual |= !strcmp(an->objs[i].status, "manual_review");
		if (!an->objs[i].rule && an->objs[i].kind != AN_USER)
			unmapped_records += an->objs[i].count;
	}
	if (an->total > 0)
		unmapped = WEIGHT_UNMAPPED * (double)unmapped_records /
		           (double)an->total;
	value = round(100.0 - cost[0] - cost[1] - cost[2] - unmapped);
	value = fmax(0.0, fmin(100.0, value));
	status = value >= 90.0 && !count[0] && !manual ? "auto"
	         : value < 50.0                        ? "manual_review"
	                                               : "partial";
	/* "100 − 9.7 (1 high) − 12.6 (5 medium) = 78; …": terms that cost
	 * nothing are left out. */
	for (k = 0; k < 3; k++)
		if (count[k])
			len += (size_t)snprintf(
			    terms + len, sizeof(terms) - len, " − %.1f (%d %s)",
			    cost[k], count[k], sev[k]);
	if (unmapped > 0.0 && len < sizeof(terms))
		snprintf(terms + len, sizeof(terms) - len,
		         " − %.1f (records with no destination)", unmapped);
	/* The sentence a person reads; the arithmetic goes beside it. */
	if (count[0])
		line = ferry_xasprintf(
		    "%d high-severity risk%s and %d other%s need a decision "
		    "before loading",
		    count[0], count[0] == 1 ? "" : "s", count[1] + count[2],
		    count[1] + count[2] == 1 ? "" : "s");
	else if (manual)
		line = ferry_xasprintf("some objects have no destination yet: "
		                       "decide where they go in mapping.yaml");
	else if (count[1] + count[2])
		line = ferry_xasprintf("no high-severity risk; %d to review "
		                       "before loading",
		                       count[1] + count[2]);
	else
		line = ferry_xasprintf("no risk found: ready to plan");
	json_object_set_new(s, "value", json_integer((json_int_t)value));
	json_object_set_new(s, "status", json_string(status));
	json_object_set_new(s, "explanation", json_string(line));
	free(line);
	line = ferry_xasprintf("100%s = %.0f; a risk costs 20, 8 or 2 by "
	                       "severity times the square root of the share of "
	                       "records it touches",
	                       terms, value);
	json_object_set_new(s, "formula", json_string(line));
	free(line);
	return s;
}
