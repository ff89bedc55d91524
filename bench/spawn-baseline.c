/* Benchmark baseline only (not part of jinit): the same spawn+wait loop as the Java Spawner
 * benchmark, in C, so BENCHMARKS.md can state the Spawner's speed as a ratio of it. */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 2000;
    char *args[] = {"/bin/true", NULL};
    char *envp[] = {NULL};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < n; i++) {
        pid_t pid;
        if (posix_spawn(&pid, "/bin/true", NULL, NULL, args, envp) != 0) { perror("posix_spawn"); return 1; }
        int status;
        if (waitpid(pid, &status, 0) < 0) { perror("waitpid"); return 1; }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("c-posix_spawn %d spawns in %.3f s: %.0f spawns/s\n", n, s, n / s);
    return 0;
}
