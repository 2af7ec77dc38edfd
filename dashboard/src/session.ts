/**
 * The key, kept for the browser session only (sessionStorage: gone when the tab closes). A
 * link may carry it in its fragment (`/dashboard#key=…`, which never reaches a server or a
 * log): it is taken from there once and removed from the address bar.
 */
const STORAGE_KEY = 'xiangmu-dashboard-key';

export function takeKeyFromLocation(): string | undefined {
  const fragment = new URLSearchParams(window.location.hash.replace(/^#/, ''));
  const key = fragment.get('key')?.trim();
  if (key === undefined || key === '') return undefined;
  fragment.delete('key');
  const rest = fragment.toString();
  history.replaceState(history.state, '', `${window.location.pathname}${window.location.search}${rest === '' ? '' : `#${rest}`}`);
  return key;
}

export function storedKey(): string | undefined {
  try {
    return sessionStorage.getItem(STORAGE_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

export function storeKey(key: string): void {
  try {
    sessionStorage.setItem(STORAGE_KEY, key);
  } catch {
    // storage disabled: the key lives as long as the page
  }
}

export function forgetKey(): void {
  try {
    sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // nothing kept
  }
}
