/* sf_http.c: the Salesforce stand-in's libmicrohttpd glue on top of
 * server.c: turns a connection into an sf_req, lets sf_handle() decide it
 * under the lock, then (outside the lock) applies --slow-ms and sends the
 * reply: JSON, an empty 204, or a Bulk results page streamed from a
 * callback as it is generated. */
#include "util.h"

#include "server.h"
#include "sf_http.h"

#define STREAM_BLOCK (64 * 1024)

static ssize_t stream_cb(void *cls, uint64_t pos, char *buf, size_t max)
{
	ssize_t n;

	FERRY_UNUSED(pos);
	n = sf_stream_read(cls, buf, max);
	return n < 0 ? (ssize_t)MHD_CONTENT_READER_END_OF_STREAM : n;
}

static void stream_free_cb(void *cls)
{
	sf_stream_free(cls);
}

static struct MHD_Response *make_response(struct sf_sb *sb, struct sf_reply *r)
{
	struct MHD_Response *resp;
	char num[32], date[40];

	if (r->stream) {
		resp = MHD_create_response_from_callback(
		    MHD_SIZE_UNKNOWN, STREAM_BLOCK, stream_cb, r->stream,
		    stream_free_cb);
		r->stream = NULL; /* the response owns it now */
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
		                        "text/csv");
	} else if (r->json) {
		char *text = json_dumps(r->json, JSON_COMPACT);

		if (!text)
			text = ferry_xstrdup("[]");
		resp = MHD_create_response_from_buffer(strlen(text), text,
		                                       MHD_RESPMEM_MUST_FREE);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
		                        "application/json;charset=UTF-8");
	} else {
		resp = MHD_create_response_from_buffer(0, NULL,
		                                       MHD_RESPMEM_PERSISTENT);
	}
	/* The org's clock, not the host's: a client reads Salesforce's
	 * time from it. */
	pthread_mutex_lock(&sb->lock);
	ferry_clock_http_date((time_t)sf_org_now(sb->org), date, sizeof(date));
	pthread_mutex_unlock(&sb->lock);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_DATE, date);
	if (r->limit_info)
		MHD_add_response_header(resp, "Sforce-Limit-Info",
		                        r->limit_value);
	if (r->bulk_headers) {
		MHD_add_response_header(resp, "Sforce-Locator", r->locator);
		snprintf(num, sizeof(num), "%lld", (long long)r->n_records);
		MHD_add_response_header(resp, "Sforce-NumberOfRecords", num);
	}
	return resp;
}

/* The log shows no query string on the token endpoint: a client may put
 * credentials there. */
static void log_request(struct sandbox_server *srv, const char *method,
                        const char *url, const char *uri, int status,
                        int64_t start_us)
{
	sandbox_server_log(
	    srv, method,
	    ferry_str_starts_with(url, "/services/oauth2/") ? url : uri, status,
	    start_us);
}

static enum MHD_Result handle(struct sandbox_server *srv,
                              struct MHD_Connection *c, const char *url,
                              const char *method, struct sandbox_request *rq)
{
	struct sf_sb *sb = srv->app;
	struct sf_req req;
	struct sf_reply reply;
	struct MHD_Response *resp;
	const char *q = strchr(rq->uri, '?');
	enum MHD_Result r;

	memset(&req, 0, sizeof(req));
	memset(&reply, 0, sizeof(reply));
	req.method = !strcmp(method, "HEAD") ? "GET" : method;
	req.path = url;
	req.query = q ? q + 1 : "";
	req.body = rq->body.ptr;
	req.body_len = rq->body.len;
	req.too_big = rq->too_big;
	req.authorization = MHD_lookup_connection_value(
	    c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	req.content_type = MHD_lookup_connection_value(
	    c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	pthread_mutex_lock(&sb->lock);
	sf_handle(sb, &req, &reply);
	pthread_mutex_unlock(&sb->lock);
	if (sb->opts->slow_ms > 0)
		ferry_clock_sleep_us(sb->opts->slow_ms * 1000);
	log_request(srv, method, url, rq->uri, reply.drop ? 0 : reply.status,
	            rq->start_us);
	if (reply.drop) {
		sf_reply_release(&reply);
		return MHD_NO;
	}
	resp = make_response(sb, &reply);
	r = MHD_queue_response(c, (unsigned)reply.status, resp);
	MHD_destroy_response(resp);
	sf_reply_release(&reply);
	return r;
}

static int on_listen(struct sandbox_server *srv)
{
	struct sf_sb *sb = srv->app;
	const char *host = srv->opts.bind;

	/* a wildcard address is not one a client can be sent to */
	if (!strcmp(host, "0.0.0.0"))
		host = "127.0.0.1";
	else if (!strcmp(host, "::"))
		host = "::1";
	pthread_mutex_lock(&sb->lock);
	sf_sb_listening(sb, host, srv->port);
	pthread_mutex_unlock(&sb->lock);
	return 0;
}

int sf_http_run(struct sf_sb *sb)
{
	struct sandbox_server srv;

	memset(&srv, 0, sizeof(srv));
	srv.opts.name = "salesforce";
	srv.opts.bind = sb->opts->bind;
	srv.opts.port = sb->opts->port;
	srv.opts.port_file = sb->opts->port_file;
	srv.opts.log_file = sb->opts->log_file;
	srv.opts.body_max = (size_t)1024 * 1024;
	srv.handle = handle;
	srv.on_listen = on_listen;
	srv.app = sb;
	return sandbox_server_run(&srv);
}
