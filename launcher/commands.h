/* SPDX-License-Identifier: GPL-2.0-or-later */
/* commands.h - tapvm's subcommands, one file each */
#ifndef TAPVM_COMMANDS_H
#define TAPVM_COMMANDS_H

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
int vm_list(void);
int command_no_operands(const char *name, const char *extra);
int img_main(int argc, char **argv);

#endif /* TAPVM_COMMANDS_H */
