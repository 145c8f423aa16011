/* The C board's edge: a pseudo-terminal as its UART. It prints `PTY <path>` on standard
 * output (the line `atspec` boards announce), prints `ready` on the UART and serves AT
 * commands until killed. */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "board.h"

static struct board board;

int main(void)
{
    struct termios t;
    const char *path;
    int master = posix_openpt(O_RDWR | O_NOCTTY), slave;
    if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0 || (path = ptsname(master)) == NULL) {
        perror("c-board: pty");
        return 1;
    }
    /* The slave stays open here too, so the master never reads EOF while no host has it,
     * and it is raw: no echo, no line editing, no CR/LF translation. */
    slave = open(path, O_RDWR | O_NOCTTY);
    if (slave < 0 || tcgetattr(slave, &t) != 0) {
        perror("c-board: pty slave");
        return 1;
    }
    t.c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    t.c_oflag &= ~(tcflag_t)OPOST;
    t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    t.c_cflag &= ~(tcflag_t)(CSIZE | PARENB);
    t.c_cflag |= CS8;
    tcsetattr(slave, TCSANOW, &t);
    signal(SIGPIPE, SIG_IGN);
    printf("PTY %s\n", path);
    fflush(stdout);
    board_init(&board, master);
    board_boot(&board);
    for (;;) {
        uint8_t in[512];
        ssize_t n = read(master, in, sizeof in);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            /* EIO while the slave reopens: wait a moment and read again. */
            struct timespec pause = {0, 10000000L};
            nanosleep(&pause, NULL);
            continue;
        }
        board_input(&board, in, (size_t)n);
    }
}
