/*
 * protocol_conn.c - the client's connection to a protocol server: a child
 * process started with /bin/sh -c, frames over its stdin/stdout, and a
 * deadline on every read and write, so that a server that hangs cannot hang
 * the client. The server is killed if the client dies (PR_SET_PDEATHSIG)
 * and is always reaped. POSIX only: on Windows this file compiles to
 * nothing.
 */
#ifndef _WIN32
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "harness/protocol.h"

/* Waits until fd is ready for events or the deadline passes. */
static int wait_fd(int fd, short events, double deadline)
{
    for (;;) {
        struct pollfd p = {fd, events, 0};
        double left = deadline - proto_now();
        int r;
        if (left <= 0)
            return PROTO_IO_TIMEOUT;
        r = poll(&p, 1, (int)(left * 1000) + 1);
        if (r > 0)
            return PROTO_IO_OK;
        if (r < 0 && errno != EINTR)
            return PROTO_IO_ERROR;
    }
}

static int write_all(proto_conn *c, const uint8_t *p, size_t n, double deadline)
{
    while (n > 0) {
        ssize_t w = write(c->to_fd, p, n);
        if (w > 0) {
            p += w;
            n -= (size_t)w;
        } else if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
            int s = wait_fd(c->to_fd, POLLOUT, deadline);
            if (s != PROTO_IO_OK)
                return s;
        } else {
            return errno == EPIPE ? PROTO_IO_EOF : PROTO_IO_ERROR;
        }
    }
    return PROTO_IO_OK;
}

static int read_exact(proto_conn *c, uint8_t *p, size_t n, double deadline)
{
    while (n > 0) {
        ssize_t r;
        if (c->rpos < c->rlen) {
            size_t k = c->rlen - c->rpos < n ? c->rlen - c->rpos : n;
            memcpy(p, c->rbuf + c->rpos, k);
            c->rpos += k;
            p += k;
            n -= k;
            continue;
        }
        r = read(c->from_fd, c->rbuf, sizeof c->rbuf);
        if (r > 0) {
            c->rpos = 0;
            c->rlen = (size_t)r;
        } else if (r == 0) {
            return PROTO_IO_EOF;
        } else if (errno == EAGAIN || errno == EINTR) {
            int s = wait_fd(c->from_fd, POLLIN, deadline);
            if (s != PROTO_IO_OK)
                return s;
        } else {
            return PROTO_IO_ERROR;
        }
    }
    return PROTO_IO_OK;
}

int proto_conn_recv(proto_conn *c, uint32_t *type, uint8_t **buf, size_t *cap, size_t *len,
                    double deadline, char *err, size_t err_len)
{
    uint8_t head[8];
    uint32_t n;
    int s = read_exact(c, head, 8, deadline);
    if (s != PROTO_IO_OK)
        return s;
    n = proto_get32(head);
    *type = proto_get32(head + 4);
    if (n < 4 || n > PROTO_MAX_FRAME) {
        snprintf(err, err_len, "frame length %u out of range (4 to %u)", n, PROTO_MAX_FRAME);
        return PROTO_IO_GARBAGE;
    }
    *len = n - 4;
    if (*len > *cap) {
        uint8_t *grown = realloc(*buf, *len);
        if (grown == NULL) {
            snprintf(err, err_len, "out of memory for a frame of %zu bytes", *len);
            return PROTO_IO_GARBAGE;
        }
        *buf = grown;
        *cap = *len;
    }
    return read_exact(c, *buf, *len, deadline);
}

int proto_conn_send_raw(proto_conn *c, const uint8_t *bytes, size_t len, double deadline)
{
    return write_all(c, bytes, len, deadline);
}

int proto_conn_send(proto_conn *c, uint32_t type, const uint8_t *payload, size_t len, double deadline)
{
    uint8_t head[8];
    int s;
    proto_put32(head, (uint32_t)(len + 4));
    proto_put32(head + 4, type);
    s = write_all(c, head, sizeof head, deadline);
    return s == PROTO_IO_OK && len > 0 ? write_all(c, payload, len, deadline) : s;
}

int proto_conn_start(proto_conn *c, const char *command, char *msg, size_t msg_len)
{
    int in[2], out[2];
    pid_t pid;

    memset(c, 0, sizeof *c);
    signal(SIGPIPE, SIG_IGN);  /* a dead server shows as EPIPE, not a signal */
    if (pipe2(in, O_CLOEXEC) != 0) {
        snprintf(msg, msg_len, "cannot create pipes: %s", strerror(errno));
        return -1;
    }
    if (pipe2(out, O_CLOEXEC) != 0) {
        snprintf(msg, msg_len, "cannot create pipes: %s", strerror(errno));
        close(in[0]);
        close(in[1]);
        return -1;
    }
    pid = fork();
    if (pid < 0) {
        snprintf(msg, msg_len, "cannot fork: %s", strerror(errno));
        close(in[0]); close(in[1]); close(out[0]); close(out[1]);
        return -1;
    }
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        dup2(in[0], 0);
        dup2(out[1], 1);
        /* exec replaces the shell, so the pid is the server's own. */
        execl("/bin/sh", "sh", "-c", command, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    c->pid = pid;
    c->to_fd = in[1];
    c->from_fd = out[0];
    fcntl(c->to_fd, F_SETFL, O_NONBLOCK);
    fcntl(c->from_fd, F_SETFL, O_NONBLOCK);
    return 0;
}

static void describe_exit(int status, char *buf, size_t len)
{
    if (WIFSIGNALED(status))
        snprintf(buf, len, "killed by signal %d, %s", WTERMSIG(status), strsignal(WTERMSIG(status)));
    else if (WIFEXITED(status))
        snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
    else
        snprintf(buf, len, "ended with wait status 0x%x", status);
}

/* 1 when pid ended within seconds (reaped, status set). */
static int reap_within(pid_t pid, int *status, double seconds)
{
    double deadline = proto_now() + seconds;
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid)
            return 1;
        if (r < 0 || proto_now() >= deadline)
            return 0;
        usleep(500);
    }
}

int proto_conn_close(proto_conn *c, double wait_seconds, char *how, size_t how_len)
{
    int status = 0, exited;
    if (c->pid <= 0)
        return -1;
    close(c->to_fd);  /* end of file: a well-behaved server exits */
    exited = reap_within(c->pid, &status, wait_seconds);
    if (!exited) {
        kill(c->pid, SIGKILL);
        waitpid(c->pid, &status, 0);
        if (how)
            snprintf(how, how_len, "killed: still running %.1f s after end of input", wait_seconds);
    } else if (how) {
        describe_exit(status, how, how_len);
    }
    close(c->from_fd);
    c->pid = 0;
    c->rpos = c->rlen = 0;
    return exited ? status : -1;
}

void proto_conn_kill(proto_conn *c, char *how, size_t how_len)
{
    int status = 0;
    if (c->pid <= 0)
        return;
    close(c->to_fd);
    close(c->from_fd);
    /* If it is exiting (it closed its output), its own status tells how. */
    if (reap_within(c->pid, &status, 0.2)) {
        if (how)
            describe_exit(status, how, how_len);
    } else {
        kill(c->pid, SIGKILL);
        waitpid(c->pid, &status, 0);
        if (how)
            snprintf(how, how_len, "killed by the client");
    }
    c->pid = 0;
    c->rpos = c->rlen = 0;
}

#endif /* !_WIN32 */
