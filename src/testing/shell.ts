/** A value for a POSIX shell, single-quoted: nothing inside is expanded, a `'` is closed, escaped and reopened. */
export const shellQuote = (value: string): string => `'${value.replaceAll("'", `'\\''`)}'`;

/** `export NAME='value'` lines, to paste into the shell that will run a command. */
export const exportLines = (env: Record<string, string>): string[] =>
	Object.entries(env).map(([name, value]) => `export ${name}=${shellQuote(value)}`);
