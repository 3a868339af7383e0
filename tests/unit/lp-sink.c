/* lp-sink - a test listener on a loopback port that writes down everything it receives.
 *
 * Usage: lp-sink --port-file F --log FILE [--hold] [--watch-pid PID]
 *
 * Listens on 127.0.0.1 (a free port, written to F once it listens) and appends every byte any
 * connection sends to FILE. Once a connection's request head is complete (an empty line),
 * it answers "502 Bad Gateway" and closes it: a proxy that reaches nothing, or a server that
 * fails. With --hold it never answers: a slow server a client waits on (for the core dump
 * tests). It exits when PID (the test's shell) is gone, or on SIGTERM.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAXC 64

static int usage(void)
{
	fputs("Usage: lp-sink --port-file F --log FILE [--hold] [--watch-pid PID]\n", stderr);
	return 2;
}

int main(int argc, char **argv)
{
	const char *pf = NULL, *logf = NULL;
	int hold = 0;
	long watch = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--port-file") && i + 1 < argc)
			pf = argv[++i];
		else if (!strcmp(argv[i], "--log") && i + 1 < argc)
			logf = argv[++i];
		else if (!strcmp(argv[i], "--watch-pid") && i + 1 < argc)
			watch = atol(argv[++i]);
		else if (!strcmp(argv[i], "--hold"))
			hold = 1;
		else
			return usage();
	}
	if (!pf || !logf)
		return usage();
	signal(SIGPIPE, SIG_IGN);
	FILE *log = fopen(logf, "a");
	int ls = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof a;
	if (!log || ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof a) || listen(ls, 16) ||
	    getsockname(ls, (struct sockaddr *)&a, &al)) {
		perror("lp-sink");
		return 1;
	}
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp", pf);
	FILE *p = fopen(tmp, "w");
	if (!p || fprintf(p, "%u\n", (unsigned)ntohs(a.sin_port)) < 0 || fclose(p) || rename(tmp, pf)) {
		perror(pf);
		return 1;
	}
	struct pollfd fds[MAXC + 1];
	char head[MAXC + 1][4]; /* the last bytes of each connection: where its head ends */
	int n = 1;
	fds[0] = (struct pollfd){.fd = ls, .events = POLLIN};
	for (;;) {
		if (watch && kill((pid_t)watch, 0) != 0 && errno == ESRCH)
			return 0;
		int r = poll(fds, (nfds_t)n, 200);
		if (r < 0 && errno != EINTR)
			return 1;
		if (r <= 0)
			continue;
		if ((fds[0].revents & POLLIN) && n <= MAXC) {
			int c = accept(ls, NULL, NULL);
			if (c >= 0) {
				fds[n] = (struct pollfd){.fd = c, .events = POLLIN};
				memset(head[n], 0, sizeof head[n]);
				n++;
			}
		}
		for (int i = 1; i < n; i++) {
			if (!fds[i].revents)
				continue;
			char buf[8192];
			ssize_t got = read(fds[i].fd, buf, sizeof buf);
			int done = got <= 0;
			if (got > 0) {
				fwrite(buf, 1, (size_t)got, log);
				fflush(log);
				for (ssize_t k = 0; k < got; k++) {
					memmove(head[i], head[i] + 1, 3);
					head[i][3] = buf[k];
					if (!memcmp(head[i], "\r\n\r\n", 4) && !hold) {
						static const char ans[] = "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n"
									  "Connection: close\r\n\r\n";
						if (write(fds[i].fd, ans, sizeof ans - 1) < 0)
							break;
						done = 1;
						break;
					}
				}
			}
			if (done) {
				close(fds[i].fd);
				fds[i] = fds[--n];
				memcpy(head[i], head[n], sizeof head[i]);
				i--;
			}
		}
	}
}
