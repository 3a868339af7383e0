/* tests/fuzz/fuzz.h - what the libFuzzer harnesses share (header only: each harness is one
 * file and one program, built by `make fuzz`).
 *
 *   FUZZ_INIT(prog, x)   LLVMFuzzerInitialize: lp_init(prog), then x
 *   FUZZ_CHECK(cond)     a property: abort (a crash libFuzzer reports) when it does not hold
 *   fuzz_memfd(p, n)     the bytes as a file: an anonymous memory file, its path
 *                        "/proc/self/fd/N" in buf (close the fd after use)
 *   FUZZ_CATCH_EXIT      around code that may call exit() (lp_die on bad input): the harness
 *                        is linked with -Wl,--wrap=exit and the exit comes back here as
 *                        fuzz_exit_code >= 0 instead of ending the process
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <sanitizer/common_interface_defs.h>

#include "lp_cli.h"

/* LLVMFuzzerInitialize: the program name for messages, then what else the harness sets up
 * once (a statement, or nothing) */
#define FUZZ_INIT(prog, once)                                                                                  \
	int LLVMFuzzerInitialize(int *argc, char ***argv)                                                      \
	{                                                                                                      \
		(void)argc, (void)argv;                                                                        \
		lp_init(prog);                                                                                 \
		once;                                                                                          \
		return 0;                                                                                      \
	}

/* (said through the sanitizer's report, which still reaches the log when the run closes the
 * program's own stderr with -close_fd_mask) */
#define FUZZ_STR2(x) #x
#define FUZZ_STR(x) FUZZ_STR2(x)
#define FUZZ_CHECK(cond)                                                                                       \
	do {                                                                                                   \
		if (!(cond)) {                                                                                 \
			__sanitizer_report_error_summary(__FILE__ ":" FUZZ_STR(__LINE__)                        \
							 ": property does not hold: " #cond);                  \
			abort();                                                                               \
		}                                                                                              \
	} while (0)

static inline int fuzz_memfd(const uint8_t *p, size_t n, char *buf, size_t bn)
{
	int fd = memfd_create("fuzz", 0);
	if (fd < 0) {
		perror("memfd_create");
		abort();
	}
	for (size_t off = 0; off < n;) {
		ssize_t w = write(fd, p + off, n - off);
		if (w <= 0) {
			perror("write");
			abort();
		}
		off += (size_t)w;
	}
	lseek(fd, 0, SEEK_SET);
	snprintf(buf, bn, "/proc/self/fd/%d", fd);
	return fd;
}

/* A NUL-terminated copy of the input (caller frees). */
static inline char *fuzz_str(const uint8_t *p, size_t n)
{
	char *s = malloc(n + 1);
	if (!s)
		abort();
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

#ifdef FUZZ_WRAP_EXIT
/* exit() while armed longjmps back to FUZZ_CATCH_EXIT (the code that called it assumed the
 * process ends: the harness frees what it left, see journal-export.c) */
static jmp_buf fuzz_jmp;
static volatile int fuzz_armed = 0, fuzz_exit_code = -1;
void __real_exit(int code) __attribute__((noreturn));
void __wrap_exit(int code) __attribute__((noreturn));
void __wrap_exit(int code)
{
	if (fuzz_armed) {
		fuzz_armed = 0;
		fuzz_exit_code = code;
		longjmp(fuzz_jmp, 1);
	}
	__real_exit(code);
}
#define FUZZ_CATCH_EXIT(body)                                                                                  \
	do {                                                                                                   \
		fuzz_exit_code = -1;                                                                           \
		if (!setjmp(fuzz_jmp)) {                                                                       \
			fuzz_armed = 1;                                                                        \
			body;                                                                                  \
		}                                                                                              \
		fuzz_armed = 0;                                                                                \
	} while (0)
#endif

#endif
