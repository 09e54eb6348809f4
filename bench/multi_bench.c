/* multi_bench.c: measures the multi handle (include/ferry/multi.h) against
 * a fake destination in the same process: N writes at a write rate R to a
 * server that answers after L ms. Prints the time, the sustained rate as a
 * share of R, the most transfers the server saw at once, and the CPU the
 * client's thread used (the server's threads are not counted). Not built
 * by CMake (a run at Attio's 25/s takes minutes); build it by hand against
 * a build folder:
 *
 *   cc -O2 -std=c17 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
 *      -DFERRY_VERSION='"bench"' -Iinclude -Isrc/util -Isrc/lib \
 *      bench/multi_bench.c build/libferry_core.a build/libferry_util.a \
 *      $(pkg-config --libs libcurl sqlite3 jansson yaml-0.1 libpsl \
 *      libcrypto libmicrohttpd) -lpthread -lm -o multi_bench
 *   ./multi_bench 5000 25 250   # requests, writes/s, latency ms
 */
#include "util.h"

#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "ferry/multi.h"

struct server {
	int latency_ms;
	pthread_mutex_t mu;
	int active, max_active;
};

static enum MHD_Result handler(void *cls, struct MHD_Connection *c,
                               const char *url, const char *method,
                               const char *version, const char *upload,
                               size_t *upload_size, void **con_cls)
{
	static const char body[] = "{\"data\":{}}";
	static int first;
	struct server *s = cls;
	struct MHD_Response *r;
	enum MHD_Result ret;

	(void)url;
	(void)method;
	(void)version;
	(void)upload;
	if (!*con_cls) {
		*con_cls = &first;
		return MHD_YES;
	}
	if (*upload_size) {
		*upload_size = 0;
		return MHD_YES;
	}
	pthread_mutex_lock(&s->mu);
	if (++s->active > s->max_active)
		s->max_active = s->active;
	pthread_mutex_unlock(&s->mu);
	ferry_clock_sleep_us((int64_t)s->latency_ms * 1000);
	pthread_mutex_lock(&s->mu);
	s->active--;
	pthread_mutex_unlock(&s->mu);
	r = MHD_create_response_from_buffer(
	    sizeof(body) - 1, (void *)(uintptr_t)body, MHD_RESPMEM_PERSISTENT);
	ret = MHD_queue_response(c, 200, r);
	MHD_destroy_response(r);
	return ret;
}

static int on_done(const struct ferry_multi_done *d, void *payload)
{
	int64_t *bad = payload;

	if (d->error < 0 || d->resp->status != 200)
		(*bad)++;
	return 0;
}

static int64_t thread_cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t arg(const char *s, int64_t dflt)
{
	int64_t v;

	return s && ferry_parse_i64(s, &v) == 0 && v > 0 ? v : dflt;
}

int main(int argc, char **argv)
{
	struct server s;
	struct sockaddr_in sin;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	struct ferry_http_opts ho;
	struct ferry_multi_opts mo;
	struct ferry_multi *m = NULL;
	int64_t n = arg(argc > 1 ? argv[1] : NULL, 5000);
	int64_t rate = arg(argc > 2 ? argv[2] : NULL, 25);
	int64_t bad = 0, t0, cpu0, wall, cpu, i;
	char url[64];
	int target = 0;

	memset(&s, 0, sizeof(s));
	s.latency_ms = (int)arg(argc > 3 ? argv[3] : NULL, 250);
	pthread_mutex_init(&s.mu, NULL);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	                         MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL,
	                     0, NULL, NULL, handler, &s, MHD_OPTION_SOCK_ADDR,
	                     &sin, MHD_OPTION_END);
	if (!d || !(info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)))
		return 1;
	snprintf(url, sizeof(url), "http://127.0.0.1:%u", (unsigned)info->port);
	memset(&ho, 0, sizeof(ho));
	ho.base_url = url;
	ho.token = "bench";
	ho.name = "bench";
	ho.write_rate = (double)rate;
	ho.read_rate = 100;
	mo.http = &ho;
	mo.max_in_flight = 64;
	if (ferry_multi_new(&m, &mo) < 0) {
		fprintf(stderr, "%s\n", ferry_error_last());
		return 1;
	}
	for (i = 0; i < n; i++)
		if (ferry_multi_add(m, FERRY_HTTP_WRITE, "PUT", "/v2/x",
		                    "{\"data\":{}}", NULL) < 0)
			return 1;
	t0 = ferry_clock_mono_us();
	cpu0 = thread_cpu_us();
	while (ferry_multi_run(m, 1000, on_done, &bad) > 0)
		;
	wall = ferry_clock_mono_us() - t0;
	cpu = thread_cpu_us() - cpu0;
	ferry_multi_in_flight(m, &target);
	printf(
	    "%" PRId64 " writes at %" PRId64 "/s, %d ms latency: %.1f s, "
	    "%.2f/s (%.1f%% of the limit), %d in flight at most (target "
	    "%d), client CPU %.2f s (%.2f%% of a core), %" PRId64 " failed\n",
	    n, rate, s.latency_ms, (double)wall / 1e6,
	    (double)n * 1e6 / (double)wall,
	    100.0 * (double)n * 1e6 / (double)wall / (double)rate, s.max_active,
	    target, (double)cpu / 1e6, 100.0 * (double)cpu / (double)wall, bad);
	ferry_multi_free(m);
	MHD_stop_daemon(d);
	pthread_mutex_destroy(&s.mu);
	return bad ? 1 : 0;
}
