/* SPDX-License-Identifier: GPL-2.0-or-later */
/* commands.h - tapvm's subcommands, one file each */
#ifndef TAPVM_COMMANDS_H
#define TAPVM_COMMANDS_H

int run_main(int argc, char **argv);
int list_main(int argc, char **argv);

#endif /* TAPVM_COMMANDS_H */
