// SPDX-License-Identifier: GPL-2.0-or-later
/* escape.c - Ctrl-] and the key after it, at a VM's console
 *
 * The one parser for `tapvm run` on a terminal and `tapvm console`: Ctrl-]
 * starts a command, the next key is the command (each caller says which it
 * knows), and Ctrl-] twice sends one Ctrl-] to the guest.
 */

#include "escape.h"

/**
 * escape_feed() - one key typed at the console
 * @e:		the console's state
 * @c:		the key
 *
 * Return: ESCAPE_PASS (send @c to the guest), ESCAPE_BEGIN (Ctrl-] began a
 * command: nothing to send), or the command key (>= 0), to act on or, when
 * the caller knows no such command, to drop.
 */
int escape_feed(struct escape *e, unsigned char c)
{
	if (!e->pending) {
		if (c != ESCAPE_KEY)
			return ESCAPE_PASS;
		e->pending = true;
		return ESCAPE_BEGIN;
	}
	e->pending = false;
	return c == ESCAPE_KEY ? ESCAPE_PASS : c;
}
