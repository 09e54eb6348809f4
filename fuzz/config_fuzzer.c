/* config_fuzzer.c: feeds arbitrary bytes to the ferry.yaml loader, which
 * must report an error or load, never crash or leak. The loader reads a
 * file, so each input is written to a private temporary file first. */
#include "util.h"

#include <unistd.h>

#include "ferry/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/ferry-config-fuzz-XXXXXX";
	struct ferry_config *cfg = NULL;
	struct ferry_buf secret = FERRY_BUF_INIT;
	size_t off = 0;
	ssize_t n;
	int fd = mkstemp(path);

	if (fd < 0)
		abort();
	while (off < size) {
		n = write(fd, data + off, size - off);
		if (n <= 0)
			abort();
		off += (size_t)n;
	}
	close(fd);
	if (ferry_config_load(&cfg, path) == 0) {
		/* Exercise the credentials path too; the name is one no
		 * environment sets. */
		(void)ferry_config_secret(cfg, "FERRY_FUZZ_NO_SUCH_VAR",
		                          &secret);
		ferry_buf_release(&secret);
	}
	ferry_config_free(cfg);
	unlink(path);
	return 0;
}
