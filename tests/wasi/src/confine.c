// Path confinement: every attempt to reach outside the preopened directory argv[1] must
// fail. The directory holds "inside.txt" and the symlinks "escape" -> ../outside.txt and
// "abs" -> an absolute path (made by the test); the preopen's parent holds outside.txt.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void try_open(int dirfd, const char *path) {
  errno = 0;
  int fd = openat(dirfd, path, O_RDONLY);
  if (fd >= 0) {
    char buf[64];
    ssize_t n = read(fd, buf, sizeof buf);
    printf("open %s: opened, read %zd\n", path, n);
    close(fd);
  } else {
    printf("open %s: errno %d (%s)\n", path, errno, errno == ENOTCAPABLE ? "ENOTCAPABLE" : errno == ENOENT ? "ENOENT" : errno == EPERM ? "EPERM" : "other");
  }
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  int dirfd = open(argv[1], O_RDONLY | O_DIRECTORY);
  if (dirfd < 0) {
    perror("open preopen");
    return 1;
  }
  try_open(dirfd, "inside.txt");
  try_open(dirfd, "./sub/../inside.txt");
  try_open(dirfd, "../outside.txt");
  try_open(dirfd, "sub/../../outside.txt");
  try_open(dirfd, "escape");
  try_open(dirfd, "abs");
  struct stat st;
  errno = 0;
  printf("fstatat ../outside.txt: %d errno %d\n", fstatat(dirfd, "../outside.txt", &st, 0), errno);
  errno = 0;
  printf("mkdirat ../made: %d errno %d\n", mkdirat(dirfd, "../made", 0755), errno);
  return 0;
}
