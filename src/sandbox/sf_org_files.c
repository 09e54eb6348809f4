/* sf_org_files.c: what hangs off records rather than being one: classic
 * Notes and Attachments (polymorphic ParentId; a few attachments report a
 * BodyLength over 50 MB), and Lightning notes: ContentNote with the
 * ContentDocumentLinks that attach each to a record and to its owner.
 * ContentDocumentLink cannot be read without an Id filter, so Bulk
 * cannot serve it. Base64 bodies are short stand-ins whatever the
 * BodyLength says: the HTTP side serves blobs. */
#include "util.h"

#include "sf_org_int.h"

static const char *const refs_parent[] = {
    "Account", "Case", "Contact", "Invoice__c", "Lead", "Opportunity", NULL};

/* A parent record for a note or an attachment: the object and index. */
static enum sfo_obj pick_parent(struct sfo_gen *g, unsigned k, int64_t *idx)
{
	static const enum sfo_obj order[] = {SFO_ACCOUNT, SFO_ACCOUNT,
	                                     SFO_CONTACT, SFO_OPPORTUNITY,
	                                     SFO_LEAD,    SFO_CASE};
	size_t start = sfo_r(g, k) % FERRY_ARRAY_LEN(order), j;

	for (j = 0; j < FERRY_ARRAY_LEN(order); j++) {
		enum sfo_obj o = order[(start + j) % FERRY_ARRAY_LEN(order)];
		int64_t n = sfo_count(g->org, o);

		if (n > 0) {
			*idx = (int64_t)(sfo_r(g, k + 1) % (uint64_t)n);
			return o;
		}
	}
	*idx = -1;
	return SFO_ACCOUNT;
}

/* --- Note --- */

enum { N_PARENT = SFO_N_AUDIT, N_TITLE, N_PRIVATE, N_BODY, N_OWNER, N_N };

static const struct sf_field note_fields[N_N] = {
    SFO_AUDIT("Note ID"),
    [N_PARENT] =
        SFO_FLD("ParentId", "Parent ID", SF_REFERENCE, 18, .createable = true,
                .refs = refs_parent, .relationship = "Parent",
                .cascade_delete = true, .child_relationship = "Notes"),
    [N_TITLE] =
        SFO_FLD("Title", "Title", SF_STRING, 80, SFO_CU, .name_field = true),
    [N_PRIVATE] = SFO_FLD("IsPrivate", "Private", SF_BOOLEAN, 0, SFO_CU),
    [N_BODY] = SFO_FLD("Body", "Body", SF_TEXTAREA, 32000, SFO_NCU),
    [N_OWNER] = SFO_FLD("OwnerId", "Owner ID", SF_REFERENCE, 18, SFO_CU,
                        .refs = sfo_refs_user, .relationship = "Owner"),
};

static void gen_note(struct sfo_gen *g)
{
	int64_t idx;
	enum sfo_obj o = pick_parent(g, 20, &idx);
	char *s;

	if (idx >= 0)
		sfo_set_id(g, N_PARENT, o, idx);
	s = sfo_begin(g);
	sfo_w(g, sfo_word(&sfo_subjects, sfo_r(g, 22)));
	sfo_w(g, " notes");
	sfo_end(g, N_TITLE, s);
	sfo_set_bool(g, N_PRIVATE, sfo_pct(g, 23) < 10);
	s = sfo_begin(g);
	sfo_w(g, sfo_word(&sfo_phrases, sfo_r(g, 24)));
	sfo_w(g, "\n- next step: ");
	sfo_w(g, sfo_word(&sfo_subjects, sfo_r(g, 25)));
	sfo_w(g, "\n- owner said \"ok, go ahead\", budget 10,000");
	sfo_end(g, N_BODY, s);
}

const struct sfo_objdef sfo_def_note = {
    .obj = SFO_NOTE,
    .name = "Note",
    .label = "Note",
    .label_plural = "Notes",
    .key_prefix = "002",
    .fields = note_fields,
    .n_fields = N_N,
    .gen = gen_note,
};

/* --- ContentNote --- */

enum {
	Q_TITLE = SFO_N_AUDIT,
	Q_CONTENT,
	Q_PREVIEW,
	Q_FILETYPE,
	Q_EXTENSION,
	Q_SIZE,
	Q_OWNER,
	Q_N
};

static const struct sf_field contentnote_fields[Q_N] = {
    SFO_AUDIT("ContentNote ID"),
    [Q_TITLE] =
        SFO_FLD("Title", "Title", SF_STRING, 255, SFO_CU, .name_field = true),
    [Q_CONTENT] = SFO_FLD_NB("Content", "Content", SF_BASE64, 0, SFO_NCU),
    [Q_PREVIEW] = SFO_FLD("TextPreview", "Text Preview", SF_STRING, 255, SFO_N),
    [Q_FILETYPE] = SFO_FLD("FileType", "File Type", SF_STRING, 20, SFO_RO),
    [Q_EXTENSION] =
        SFO_FLD("FileExtension", "File Extension", SF_STRING, 40, SFO_N),
    [Q_SIZE] = SFO_FLD("ContentSize", "Size", SF_INT, 0, SFO_N, .precision = 9),
    [Q_OWNER] = SFO_FLD("OwnerId", "Owner ID", SF_REFERENCE, 18, SFO_CU,
                        .refs = sfo_refs_user, .relationship = "Owner"),
};

static void gen_contentnote(struct sfo_gen *g)
{
	char *s, *html;
	const char *text = sfo_word(&sfo_phrases, sfo_r(g, 21));
	size_t n;

	s = sfo_begin(g);
	sfo_w(g, "Meeting notes ");
	sfo_wu(g, (uint64_t)g->i + 1);
	sfo_end(g, Q_TITLE, s);
	html = sfo_begin(g);
	sfo_w(g, "<p>");
	sfo_w(g, text);
	sfo_w(g, "</p><p>Follow-up &amp; next steps.</p>");
	n = (size_t)(g->p - html);
	s = sfo_begin(g);
	sfo_wbase64(g, html, n);
	sfo_end(g, Q_CONTENT, s);
	s = sfo_begin(g);
	sfo_w(g, text);
	sfo_w(g, " Follow-up & next steps.");
	sfo_end(g, Q_PREVIEW, s);
	sfo_put(g, Q_FILETYPE, "SNOTE");
	sfo_put(g, Q_EXTENSION, "snote");
	sfo_set_int(g, Q_SIZE, (int64_t)n);
}

const struct sfo_objdef sfo_def_contentnote = {
    .obj = SFO_CONTENTNOTE,
    .name = "ContentNote",
    .label = "Note",
    .label_plural = "Notes",
    .key_prefix = "069",
    .fields = contentnote_fields,
    .n_fields = Q_N,
    .gen = gen_contentnote,
};

/* --- ContentDocumentLink: two per note, its record and its owner --- */

enum {
	X_ID,
	X_ISDELETED,
	X_MODSTAMP,
	X_ENTITY,
	X_DOCUMENT,
	X_SHARE,
	X_VIS,
	X_N
};

static const char *const refs_entity[] = {
    "Account", "Case", "Contact", "Lead", "Opportunity", "User", NULL};
static const char *const refs_document[] = {"ContentDocument", NULL};
static const char *const pl_share[] = {"V", "C", "I", NULL};
static const char *const pl_visibility[] = {"AllUsers", "InternalUsers",
                                            "SharedUsers", NULL};

static const struct sf_field cdl_fields[X_N] = {
    [X_ID] = SFO_FLD("Id", "ContentDocument Link ID", SF_ID, 18, SFO_RO),
    [X_ISDELETED] = SFO_FLD("IsDeleted", "Deleted", SF_BOOLEAN, 0, SFO_RO),
    [X_MODSTAMP] =
        SFO_FLD("SystemModstamp", "System Modstamp", SF_DATETIME, 0, SFO_RO),
    [X_ENTITY] = SFO_FLD("LinkedEntityId", "Linked Entity ID", SF_REFERENCE, 18,
                         .createable = true, .refs = refs_entity,
                         .relationship = "LinkedEntity",
                         .child_relationship = "ContentDocumentLinks"),
    [X_DOCUMENT] =
        SFO_FLD("ContentDocumentId", "ContentDocument ID", SF_REFERENCE, 18,
                .createable = true, .refs = refs_document,
                .relationship = "ContentDocument", .cascade_delete = true),
    [X_SHARE] = SFO_FLD("ShareType", "Share Type", SF_PICKLIST, 40, SFO_NCU,
                        .restricted_picklist = true, .picklist = pl_share),
    [X_VIS] = SFO_FLD("Visibility", "Visibility", SF_PICKLIST, 40, SFO_NCU,
                      .restricted_picklist = true, .picklist = pl_visibility),
};

static void gen_cdl(struct sfo_gen *g)
{
	int64_t note = g->i / 2;

	sfo_set_id(g, X_DOCUMENT, SFO_CONTENTNOTE, note);
	if (g->i % 2) {
		/* the owner's link, as every file has */
		uint64_t h = sfo_rec_hash(g->org, SFO_CONTENTNOTE, note);
		int64_t u = sfo_pick_user(g->org, sfo_rk(h, 8));

		if (u >= 0)
			sfo_set_id(g, X_ENTITY, SFO_USER, u);
		sfo_put(g, X_SHARE, "I");
		sfo_put(g, X_VIS, "AllUsers");
	} else {
		int64_t idx;
		enum sfo_obj o = pick_parent(g, 20, &idx);

		if (idx >= 0)
			sfo_set_id(g, X_ENTITY, o, idx);
		sfo_put(g, X_SHARE, "V");
		sfo_put(g, X_VIS,
		        sfo_pct(g, 22) < 70 ? "AllUsers" : "InternalUsers");
	}
}

const struct sfo_objdef sfo_def_cdl = {
    .obj = SFO_CDL,
    .name = "ContentDocumentLink",
    .label = "Content Document Link",
    .label_plural = "Content Document Link",
    .key_prefix = "06A",
    .bulk_unsupported = true,
    .fields = cdl_fields,
    .n_fields = X_N,
    .gen = gen_cdl,
};

/* --- Attachment --- */

enum {
	H_PARENT = SFO_N_AUDIT,
	H_NAME,
	H_PRIVATE,
	H_CONTENTTYPE,
	H_LENGTH,
	H_BODY,
	H_OWNER,
	H_DESCRIPTION,
	H_N
};

static const struct sf_field attachment_fields[H_N] = {
    SFO_AUDIT("Attachment ID"),
    [H_PARENT] =
        SFO_FLD("ParentId", "Parent ID", SF_REFERENCE, 18, .createable = true,
                .refs = refs_parent, .relationship = "Parent",
                .cascade_delete = true, .child_relationship = "Attachments"),
    [H_NAME] = SFO_FLD("Name", "File Name", SF_STRING, 255, SFO_CU,
                       .name_field = true),
    [H_PRIVATE] = SFO_FLD("IsPrivate", "Private", SF_BOOLEAN, 0, SFO_CU),
    [H_CONTENTTYPE] =
        SFO_FLD("ContentType", "Content Type", SF_STRING, 120, SFO_NCU),
    [H_LENGTH] =
        SFO_FLD("BodyLength", "Body Length", SF_INT, 0, SFO_N, .precision = 9),
    [H_BODY] = SFO_FLD_NB("Body", "Body", SF_BASE64, 0, SFO_CU),
    [H_OWNER] = SFO_FLD("OwnerId", "Owner ID", SF_REFERENCE, 18, SFO_CU,
                        .refs = sfo_refs_user, .relationship = "Owner"),
    [H_DESCRIPTION] =
        SFO_FLD("Description", "Description", SF_TEXTAREA, 500, SFO_NCU),
};

static void gen_attachment(struct sfo_gen *g)
{
	static const char *const kinds[][2] = {
	    {"contract.pdf", "application/pdf"},
	    {"quote.xlsx", "application/vnd.openxmlformats-officedocument."
	                   "spreadsheetml.sheet"},
	    {"logo.png", "image/png"},
	    {"notes.txt", "text/plain"},
	    {"recording.mp4", "video/mp4"},
	    {"Präsentation 2024.pptx", "application/vnd.ms-powerpoint"},
	};
	const char *const *k = kinds[sfo_r(g, 22) % FERRY_ARRAY_LEN(kinds)];
	/* a few are over 50 MB: what a REST blob download must stream */
	bool big = g->i % 50 == 2 || sfo_pct(g, 23) < 2;
	int64_t length = big ? (int64_t)(52428800 + sfo_r(g, 24) % 200000000)
	                     : (int64_t)(sfo_r(g, 24) % 5000000 + 200);
	int64_t idx;
	enum sfo_obj o = pick_parent(g, 20, &idx);
	char *s, *text;

	if (idx >= 0)
		sfo_set_id(g, H_PARENT, o, idx);
	s = sfo_begin(g);
	sfo_wu(g, (uint64_t)g->i + 1);
	sfo_wc(g, '-');
	sfo_w(g, k[0]);
	sfo_end(g, H_NAME, s);
	sfo_set_bool(g, H_PRIVATE, sfo_pct(g, 25) < 5);
	sfo_put(g, H_CONTENTTYPE, k[1]);
	sfo_set_int(g, H_LENGTH, length);
	text = sfo_begin(g);
	sfo_w(g, "Attachment ");
	sfo_wu(g, (uint64_t)g->i + 1);
	sfo_w(g, " of the ferry sandbox (stand-in bytes)\n");
	s = sfo_begin(g);
	sfo_wbase64(g, text, (size_t)(s - text));
	sfo_end(g, H_BODY, s);
	if (sfo_pct(g, 26) < 20)
		sfo_put(g, H_DESCRIPTION, "Signed copy, see email of 3 March");
}

const struct sfo_objdef sfo_def_attachment = {
    .obj = SFO_ATTACHMENT,
    .name = "Attachment",
    .label = "Attachment",
    .label_plural = "Attachments",
    .key_prefix = "00P",
    .fields = attachment_fields,
    .n_fields = H_N,
    .gen = gen_attachment,
};
