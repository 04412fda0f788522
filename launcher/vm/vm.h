/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vm.h - a named VM: finding it, asking its supervisor */
#ifndef TAPVM_VM_H
#define TAPVM_VM_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

/* The last line a detached VM's supervisor writes to tapvm.log, before its
 * exit status and a newline: written by tapvm start, read by vm_print_end(). */
#define VM_ENDED_LINE	"tapvm: VM %s ended, exit status "

int vm_find(const char *name, char dir[PATH_MAX]);
int vm_request(const char *dir, const char *req, FILE *out, char **answer);
bool vm_wait_gone(const char *dir, int seconds);
int vm_verb(const char *name, const char *req, const char *verb, char **answer);
int vm_print_end(const char *dir, const char *name);
int vm_end(const char *dir, const char *name, char *line, size_t size);
struct json_object;
struct json_object *vm_status_json(const char *text);
void vm_print_status(const char *text, bool json);
struct json_object *vm_describe(const char *name, bool defined);
const char *vm_name_arg(int argc, char **argv, const char *usage);
const char *vm_field(const char *text, const char *key, char *buf, size_t size);

#endif /* TAPVM_VM_H */
