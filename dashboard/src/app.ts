/**
 * Sign-in, then the dashboard. The key is checked (and who it is learnt) by asking for a
 * stream token with it; it is kept for the browser session only (session.ts).
 */
import { Api, ApiError } from './api.js';
import type { StreamTokenGrant } from './api-types.js';
import { Dashboard } from './dashboard.js';
import { fill, h } from './dom.js';
import { forgetKey, storedKey, storeKey, takeKeyFromLocation } from './session.js';

const DEFAULT_CYCLE_SECONDS = 30;

export async function boot(root: HTMLElement): Promise<void> {
  const params = new URLSearchParams(window.location.search);
  const screen = params.get('screen') === '1';
  document.body.classList.toggle('screen', screen);
  const key = takeKeyFromLocation() ?? storedKey();
  if (key === undefined) {
    signInForm(root, screen);
    return;
  }
  await enter(root, key, screen, params);
}

async function enter(root: HTMLElement, key: string, screen: boolean, params: URLSearchParams): Promise<void> {
  let grant: StreamTokenGrant;
  try {
    grant = await new Api(key).post<StreamTokenGrant>('/v1/live/tokens');
  } catch (error) {
    forgetKeyUnlessUnreachable(error);
    signInForm(root, screen, error instanceof ApiError && error.status === 0 ? '无法连接服务器，请稍后再试。' : '密钥无效或已被吊销。');
    return;
  }
  storeKey(key);
  const cycle = Number(params.get('cycle') ?? DEFAULT_CYCLE_SECONDS);
  const year = Number(params.get('year'));
  const dashboard = new Dashboard(root, key, grant, {
    screen,
    cycleSeconds: Number.isFinite(cycle) && cycle >= 0 ? cycle : DEFAULT_CYCLE_SECONDS,
    region: params.get('region') ?? undefined,
    year: Number.isInteger(year) && year > 1948 ? year : undefined,
    measure: params.get('measure') ?? undefined,
    onSignOut: (reason) => {
      forgetKey();
      const url = new URL(window.location.href);
      if (reason !== undefined) url.searchParams.set('signedOut', reason);
      window.location.replace(url.toString());
    },
  });
  await dashboard.start();
}

function forgetKeyUnlessUnreachable(error: unknown): void {
  if (!(error instanceof ApiError) || error.status !== 0) forgetKey();
}

function signInForm(root: HTMLElement, screen: boolean, problem?: string): void {
  const params = new URLSearchParams(window.location.search);
  const reason = problem ?? params.get('signedOut') ?? undefined;
  if (params.has('signedOut')) {
    params.delete('signedOut');
    const search = params.toString();
    history.replaceState(null, '', `${window.location.pathname}${search === '' ? '' : `?${search}`}`);
  }
  const input = h('input', { attrs: { type: 'password', name: 'key', autocomplete: 'off', spellcheck: 'false', placeholder: 'xmk_…', 'aria-label': '密钥', required: '' } });
  const error = h('p', { class: 'signin-error', attrs: { role: 'alert' }, text: reason ?? '' });
  const button = h('button', { text: '进入', attrs: { type: 'submit' } });
  const form = h('form', { class: 'signin' },
    h('h1', { text: '项目为王 · 重点项目建设监测' }),
    h('p', { class: 'muted', text: '请输入大屏（或其他）密钥。密钥仅保存在本浏览器标签页中，关闭即清除。' }),
    input, button, error);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const key = input.value.trim();
    if (key === '') return;
    button.disabled = true;
    error.textContent = '';
    void enter(root, key, screen, new URLSearchParams(window.location.search));
  });
  fill(root, form);
  input.focus();
}
