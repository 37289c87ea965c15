/* A moved clock for Firefox (tests/browser/harness.py, FakeClock), preloaded with LD_PRELOAD.
 *
 * libfaketime hangs Firefox at start-up: Firefox's allocator reads the clock
 * inside malloc while libfaketime allocates under its own lock, and the two
 * wait for each other. This library neither allocates nor locks: every clock
 * read adds the whole seconds written in the file named by FAKECLOCK_FILE
 * (read with raw system calls at most every 10 ms), and every wait given an
 * absolute deadline on that moved clock has the offset taken off again.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static const char *offset_file;
static volatile long offset_s;
static volatile long long checked_ns = -1000000000LL;

static long long real_ns(clockid_t clock)
{
    struct timespec ts;
    syscall(SYS_clock_gettime, clock, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long offset(void)
{
    long long now = real_ns(CLOCK_MONOTONIC);
    if (offset_file && now - checked_ns > 10000000LL) {
        char buf[32];
        long value = 0;
        int sign = 1;
        int fd = (int)syscall(SYS_open, offset_file, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            long n = (long)syscall(SYS_read, fd, buf, sizeof buf);
            syscall(SYS_close, fd);
            for (long i = 0; i < n; i++) {
                if (buf[i] == '-') sign = -1;
                else if (buf[i] >= '0' && buf[i] <= '9') value = value * 10 + (buf[i] - '0');
                else if (buf[i] != '+') break;
            }
            offset_s = sign * value;
        }
        checked_ns = now;
    }
    return offset_s;
}

int clock_gettime(clockid_t clock, struct timespec *ts)
{
    int result = (int)syscall(SYS_clock_gettime, clock, ts);
    if (result == 0 && clock != CLOCK_PROCESS_CPUTIME_ID && clock != CLOCK_THREAD_CPUTIME_ID && clock >= 0)
        ts->tv_sec += offset();
    return result;
}

/* glibc declares tv non-null, but callers may pass NULL and the kernel accepts it. */
#pragma GCC diagnostic ignored "-Wnonnull-compare"
int gettimeofday(struct timeval *tv, void *tz)
{
    int result = (int)syscall(SYS_gettimeofday, tv, tz);
    if (result == 0 && tv != NULL)
        tv->tv_sec += offset();
    return result;
}

time_t time(time_t *out)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (out)
        *out = ts.tv_sec;
    return ts.tv_sec;
}

static struct timespec unmoved(const struct timespec *deadline)
{
    struct timespec real = *deadline;
    real.tv_sec -= offset();
    return real;
}

#define NEXT(name) static __typeof__(name) *next; if (!next) next = (__typeof__(name) *)dlsym(RTLD_NEXT, #name)

int pthread_cond_timedwait(pthread_cond_t *cond, pthread_mutex_t *mutex, const struct timespec *deadline)
{
    NEXT(pthread_cond_timedwait);
    struct timespec real = unmoved(deadline);
    return next(cond, mutex, &real);
}

int pthread_cond_clockwait(pthread_cond_t *cond, pthread_mutex_t *mutex, clockid_t clock,
                           const struct timespec *deadline)
{
    NEXT(pthread_cond_clockwait);
    struct timespec real = unmoved(deadline);
    return next(cond, mutex, clock, &real);
}

int sem_timedwait(sem_t *sem, const struct timespec *deadline)
{
    NEXT(sem_timedwait);
    struct timespec real = unmoved(deadline);
    return next(sem, &real);
}

int clock_nanosleep(clockid_t clock, int flags, const struct timespec *request, struct timespec *remain)
{
    NEXT(clock_nanosleep);
    if (flags & TIMER_ABSTIME) {
        struct timespec real = unmoved(request);
        return next(clock, flags, &real, remain);
    }
    return next(clock, flags, request, remain);
}

/* Firefox's child processes run in a seccomp sandbox that refuses open(2); the
 * preflight cache lives in the parent process, so only the parent (and
 * processes without "-contentproc" in their arguments) move their clocks. */
static int is_child_process(void)
{
    char buf[4096];
    int fd = (int)syscall(SYS_open, "/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    long n = (long)syscall(SYS_read, fd, buf, sizeof buf - 1);
    syscall(SYS_close, fd);
    for (long i = 0; i + 12 <= n; i++)
        if (memcmp(buf + i, "-contentproc", 12) == 0)
            return 1;
    return 0;
}

__attribute__((constructor)) static void fakeclock_init(void)
{
    if (!is_child_process())
        offset_file = getenv("FAKECLOCK_FILE");
}
