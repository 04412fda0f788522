/* SPDX-License-Identifier: GPL-2.0-or-later */
/* commands.h - tapvm's subcommands, one file each */
#ifndef TAPVM_COMMANDS_H
#define TAPVM_COMMANDS_H

#include <getopt.h>
#include <stdio.h>

int run_main(int argc, char **argv);
int list_main(int argc, char **argv);
int taps_main(int argc, char **argv);
int doctor_main(int argc, char **argv);
int start_main(int argc, char **argv);
int stop_main(int argc, char **argv);
int shutdown_main(int argc, char **argv);
int restart_main(int argc, char **argv);
int status_main(int argc, char **argv);
int console_main(int argc, char **argv);
int monitor_main(int argc, char **argv);
int vnc_main(int argc, char **argv);
int reset_main(int argc, char **argv);
int reboot_main(int argc, char **argv);
int qmp_main(int argc, char **argv);
int events_main(int argc, char **argv);
int wait_main(int argc, char **argv);
int define_main(int argc, char **argv);
int undefine_main(int argc, char **argv);
int rm_main(int argc, char **argv);

/* cmd_run.c: run's options, and checking them (for define) */
extern const struct option run_long_opts[];
int run_validate(const char *name, int argc, char **argv);
/* cmd_define.c: NAME.conf from run options (for start --save) */
int define_write(const char *name, const char *class, int argc, char **argv, FILE *out);
int command_no_operands(const char *name, const char *extra);
int img_main(int argc, char **argv);

#endif /* TAPVM_COMMANDS_H */
