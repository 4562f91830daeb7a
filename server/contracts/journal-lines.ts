// The viewer's line counts, with no zod: the journal viewer imports them, and a value import of a schema module
// would put zod into the page's JavaScript (60 KiB of it on the wire).

/** The viewer's line counts; the API accepts any count up to the cap and clamps larger ones to it. */
export const LOG_LINE_CHOICES = [200, 1000, 5000] as const;
export const LOG_LINES_DEFAULT = 200;
export const LOG_LINES_MAX = 5000;
