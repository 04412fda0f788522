/* SPDX-License-Identifier: GPL-2.0-or-later */
/* escape.h - Ctrl-] and the key after it, at a VM's console */
#ifndef TAPVM_ESCAPE_H
#define TAPVM_ESCAPE_H

#include <stdbool.h>

#define ESCAPE_KEY	0x1d	/* Ctrl-] */
#define ESCAPE_PASS	(-1)	/* the key goes to the guest */
#define ESCAPE_BEGIN	(-2)	/* Ctrl-]: say which keys follow */

/* One console's state: Ctrl-] was typed, its command not yet. */
struct escape {
	bool pending;
};

int escape_feed(struct escape *e, unsigned char c);

#endif /* TAPVM_ESCAPE_H */
