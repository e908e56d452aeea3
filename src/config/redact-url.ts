/**
 * A URL as it may be shown (ready line, runtime note, logs): a password in it becomes `***`, the user
 * name stays. Text that does not parse as a URL still loses anything between `//` and `@`.
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.password) return url;
    parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//***@');
  }
}
