/* SPDX-License-Identifier: Apache-2.0 */
#pragma once

#include <stdint.h>

/* A user namespace's UID/GID range (--private-users): IDs 0…count-1 inside are shift…shift+count-1 on
 * the host; GIDs are shifted alike. Written "SHIFT:COUNT" (rkt 1.30's private-users-prepared). */
typedef struct UidRange {
        uint32_t shift;
        uint32_t count;
} UidRange;

#define UID_RANGE_COUNT UINT32_C(0x10000)

/* The range a random number picks, as rkt 1.30 and systemd-nspawn pick it: a multiple of 0x10000 from
 * 0x10000 to 0x7FFF0000, so that the highest shifted ID stays below 2^31 (devpts parses its uid= and
 * gid= options as signed ints). */
UidRange uid_range_from_random(uint32_t random);
/* A range with a random shift, from getrandom(). */
int uid_range_random(UidRange *ret);
/* "SHIFT:COUNT", decimal, with no other text but a final newline; -EINVAL when malformed, a zero shift or
 * count, or a range reaching 2^31. */
int uid_range_parse(const char *s, UidRange *ret);
int uid_range_format(const UidRange *r, char **ret);
/* An ID inside (< count) to the host's; -ERANGE when it has no place in the range. */
int uid_range_shift(const UidRange *r, uint32_t id, uint32_t *ret);
/* A host ID of the range to the ID inside; -ERANGE when it is outside the range. */
int uid_range_unshift(const UidRange *r, uint32_t id, uint32_t *ret);
/* Gives every file of the tree dirfd (itself included) an owner and group of the range: IDs below count
 * are shifted, IDs already in the range are kept. Symlinks are not followed (lchown), mount points not
 * crossed; the setuid and setgid bits chown clears are set again. -ERANGE at the first file with an ID
 * that has no place in the range. */
int uid_range_chown_tree(int dirfd, const UidRange *r);
