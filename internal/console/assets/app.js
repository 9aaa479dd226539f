// mockserver console: plain JavaScript, no framework, no build step.
// Everything it shows comes from the control API (/__admin), of the root
// world or of the world picked (/w/<id>/__admin). With --admin-token it
// asks for the token once and keeps it in sessionStorage: this tab only,
// never in a URL or a cookie.
'use strict';

const TOKEN_KEY = 'mockserver.adminToken';
const WORLD_KEY = 'mockserver.world';
const S = {
  world: sessionStorage.getItem(WORLD_KEY) || '',
  token: sessionStorage.getItem(TOKEN_KEY) || '',
  cleanup: [], // run when the page changes (streams, timers)
};
const APIS = ['carreta', 'saplab', 'amapi'];
const CARRETA_STATUSES = [[1, 'Ожидает оплаты'], [2, 'Получен в заказ'], [3, 'В работе'], [11, 'Принят поставщиком'],
  [4, 'В пути от поставщика'], [13, 'На складе филиала'], [12, 'В пути из филиала'], [14, 'На складе'],
  [15, 'В пути в пункт выдачи'], [5, 'В пункте выдачи'], [7, 'Выдан'], [10, 'Нет в наличии'], [8, 'Отменен']];
const SCENARIOS = ['default', 'flaky', 'empty'];

// ---- small DOM helpers ----------------------------------------------------

const $ = (sel, root = document) => root.querySelector(sel);

// h builds an element: h('button', {class: 'primary', onclick: fn}, 'Save').
function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const kid of kids.flat()) {
    if (kid === null || kid === undefined || kid === false) continue;
    el.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
  }
  return el;
}

// tableWrap scrolls a wide table on its own; it takes the focus so a
// keyboard can scroll it too.
function tableWrap(label, table) { return h('div', {class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': label}, table); }

function field(label, input) { return h('label', {class: 'field'}, h('span', {}, label), input); }

function select(id, options, value) {
  return h('select', {id}, options.map(([v, t]) => h('option', {value: v, selected: String(v) === String(value)}, t)));
}

let toastTimer;
function toast(msg, bad) {
  const t = $('#toast');
  t.textContent = msg;
  t.className = 'show' + (bad ? ' bad' : '');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.className = ''; }, 3500);
}

// fmtTime shows a time as every page does, in Moscow time. A time with no
// zone (amapi's Laravel stamps, 2026-01-02 10:00:00) is the vendor's
// Moscow wall time, not the browser's: it is read as +03:00.
function fmtTime(s) {
  if (!s) return '';
  const d = new Date(/^\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(s) ? s.replace(' ', 'T') + '+03:00' : s);
  if (isNaN(d)) return s;
  return d.toLocaleString('en-GB', {timeZone: 'Europe/Moscow', year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit'});
}

// pretty shows a body readably: JSON indented (JSON.parse decodes \uXXXX,
// so Cyrillic reads as Cyrillic), a form as its decoded fields, else as is.
function pretty(text) {
  if (text === undefined || text === null || text === '') return '';
  if (typeof text !== 'string') return JSON.stringify(text, null, 2);
  try { return JSON.stringify(JSON.parse(text), null, 2); } catch (_) { /* not JSON */ }
  if (/^[^=&\s]+=[^&\s]*(&[^=&\s]+=[^&\s]*)*$/.test(text)) {
    try { return [...new URLSearchParams(text)].map(([k, v]) => k + ' = ' + v).join('\n'); } catch (_) { /* as is */ }
  }
  return text;
}

// prettyAnswer shows an answer: JSON indented with Cyrillic as letters,
// anything else as text. A JSON answer cut at 64 KiB does not parse, so
// its \uXXXX escapes are decoded where they stand.
function prettyAnswer(text) {
  try { return JSON.stringify(JSON.parse(text), null, 2); } catch (_) { /* not JSON */ }
  if (!/^\s*[[{]/.test(text)) return text;
  return text.replace(/\\u([0-9a-fA-F]{4})/g, (_, x) => String.fromCharCode(parseInt(x, 16)));
}

function statusClass(code) {
  if (code >= 500 || code === 0) return 'bad';
  if (code >= 400) return 'warn';
  if (code >= 300) return 'info';
  return 'ok';
}

function copyButton(text, label, caption) {
  return h('button', {type: 'button', class: 'small', 'aria-label': label, onclick: async () => {
    try { await navigator.clipboard.writeText(text); toast('Copied'); } catch (_) { toast('Copy is not allowed here; select the text instead', true); }
  }}, caption || 'Copy');
}

// ---- the control API -------------------------------------------------------

function base() { return S.world ? '/w/' + S.world : ''; }

function authHeaders() { return S.token ? {Authorization: 'Bearer ' + S.token} : {}; }

// api calls the control API of the world picked (root: true for the root's
// own routes, the worlds). It asks for the token on a 401 and retries.
async function api(path, opts = {}) {
  const url = (opts.root ? '' : base()) + '/__admin' + path;
  const headers = Object.assign({}, authHeaders(), opts.headers || {});
  let body = opts.body;
  if (body !== undefined && typeof body !== 'string') { body = JSON.stringify(body); headers['Content-Type'] = 'application/json'; }
  const res = await fetch(url, {method: opts.method || 'GET', headers, body});
  if (res.status === 401 && !opts.retried) {
    await askToken(S.token ? 'That token was refused.' : '');
    return api(path, Object.assign({}, opts, {retried: true}));
  }
  const text = await res.text();
  let data = text;
  try { data = text ? JSON.parse(text) : null; } catch (_) { /* not JSON */ }
  if (!res.ok && !opts.allowError) {
    const err = new Error((data && data.error) || res.status + ' ' + res.statusText);
    err.status = res.status;
    err.problems = data && data.problems;
    throw err;
  }
  return {status: res.status, data, headers: res.headers};
}

let tokenWaiters = null;
function askToken(message) {
  if (tokenWaiters) return new Promise((resolve) => tokenWaiters.push(resolve));
  tokenWaiters = [];
  const dlg = $('#token-dialog');
  const err = $('#token-error');
  err.hidden = !message;
  err.textContent = message || '';
  $('#token-input').value = '';
  return new Promise((resolve) => {
    tokenWaiters.push(resolve);
    dlg.onclose = () => {
      const v = $('#token-input').value.trim();
      if (v) { S.token = v; sessionStorage.setItem(TOKEN_KEY, v); }
      $('#forget-token').hidden = !S.token;
      const ws = tokenWaiters;
      tokenWaiters = null;
      ws.forEach((r) => r());
    };
    dlg.showModal();
    $('#token-input').focus();
  });
}

// ---- routing ---------------------------------------------------------------

const PAGES = {overview, requests, state: statePage, faults, clock, worlds, reference};

function route() {
  S.cleanup.forEach((f) => f());
  S.cleanup = [];
  const parts = (location.hash.replace(/^#\/?/, '') || 'overview').split('/');
  const name = PAGES[parts[0]] ? parts[0] : 'overview';
  document.querySelectorAll('.side a').forEach((a) => {
    if (a.dataset.page === name) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  });
  const main = $('#main');
  main.replaceChildren();
  Promise.resolve(PAGES[name](main, parts.slice(1))).catch((e) => {
    main.append(h('div', {class: 'card'}, h('p', {class: 'error'}, 'Could not load this page: ' + e.message)));
  });
}

function pageHead(title, sub, ...actions) {
  const where = S.world ? 'world ' + S.world : 'root world';
  return h('div', {class: 'page-head'},
    h('div', {}, h('h1', {}, title), h('p', {class: 'muted'}, sub, ' · ', h('span', {}, where))),
    h('div', {class: 'row'}, actions));
}

// ---- overview --------------------------------------------------------------

const IDENTITIES = {
  carreta: {what: 'parts supplier (Django)', prefix: '/v1/', who: 'api_key=demo-key',
    curl: (u) => `curl -s '${u}/v1/search/?q=oc47&api_key=demo-key'`},
  saplab: {what: 'shop back office (PHP)', prefix: '/panel/', who: '79990000000 / demo',
    curl: (u) => `curl -s -u 79990000000:demo '${u}/panel/client'`},
  amapi: {what: 'shop API (Laravel)', prefix: '/api/', who: 'demo@example.com / demo-password',
    curl: (u) => `curl -s -X POST '${u}/api/login' -H 'Content-Type: application/json' -d '{"email":"demo@example.com","password":"demo-password"}'`},
};

async function overview(main) {
  const [sc, clk] = await Promise.all([api('/scenario'), api('/clock')]);
  const origin = location.origin + base();
  main.append(pageHead('Overview', 'Three vendor APIs, one mock'));
  const apis = h('div', {class: 'grid'}, APIS.map((name) => {
    const id = IDENTITIES[name];
    const line = id.curl(origin);
    return h('section', {class: 'card', 'aria-label': name},
      h('h2', {}, name, ' ', h('span', {class: 'muted small'}, id.what)),
      h('dl', {class: 'kv'},
        h('dt', {}, 'Base URL'), h('dd', {class: 'mono'}, origin + id.prefix),
        h('dt', {}, 'Demo identity'), h('dd', {}, h('code', {}, id.who))),
      h('h3', {}, 'Try it'),
      h('div', {class: 'curl'}, h('pre', {}, line), copyButton(line, 'Copy the ' + name + ' curl line')),
      h('div', {class: 'row'}, copyButton(id.who, 'Copy identity of ' + name, 'Copy identity')));
  }));
  const problems = h('div', {id: 'scenario-problems', role: 'alert', hidden: true});
  const info = h('dl', {class: 'kv', id: 'scenario-info'});
  const showInfo = (s) => info.replaceChildren(
    h('dt', {}, 'Name'), h('dd', {id: 'scenario-name'}, s.name),
    h('dt', {}, 'Description'), h('dd', {}, s.description || '—'),
    h('dt', {}, 'Seed'), h('dd', {}, String(s.seed)),
    h('dt', {}, 'File'), h('dd', {class: 'mono'}, s.file || '(embedded)'));
  showInfo(sc.data);
  const load = async (what, fn) => {
    problems.hidden = true;
    try {
      const r = await fn();
      showInfo(r.data);
      toast(what);
    } catch (e) {
      problems.replaceChildren(h('p', {class: 'error'}, e.message), h('ul', {class: 'problems'}, (e.problems || []).map((p) => h('li', {}, p))));
      problems.hidden = false;
    }
  };
  const shipped = select('scenario-name-pick', SCENARIOS.map((n) => [n, n]), sc.data.name);
  const file = h('input', {type: 'file', id: 'scenario-file', accept: '.yaml,.yml,.json'});
  const scenarioCard = h('section', {class: 'card stack', 'aria-labelledby': 'sc-title'},
    h('h2', {id: 'sc-title'}, 'Scenario'), info,
    h('div', {class: 'row'},
      h('button', {type: 'button', id: 'reset', onclick: () => load('State reset to the scenario', () => api('/reset', {method: 'POST'}))}, 'Reset state')),
    h('h3', {}, 'Load a scenario'),
    h('div', {class: 'row bottom'}, field('Shipped scenario', shipped),
      h('button', {type: 'button', id: 'load-shipped', onclick: () => load('Scenario loaded', () => api('/scenario?name=' + encodeURIComponent(shipped.value), {method: 'POST'}))}, 'Load')),
    h('div', {class: 'row bottom'}, field('Scenario file (YAML or JSON)', file),
      h('button', {type: 'button', id: 'upload', onclick: () => {
        const f = file.files[0];
        if (!f) { toast('Choose a file first', true); return; }
        load('Scenario loaded from ' + f.name, async () => {
          try { return await api('/scenario', {method: 'POST', body: await f.text(), headers: {'Content-Type': 'application/yaml'}}); } catch (e) {
            // The server names a posted body "(request body)": show the file's name.
            e.problems = (e.problems || []).map((p) => p.replace(/^\(request body\)/, f.name));
            throw e;
          }
        });
      }}, 'Upload and load')),
    h('p', {class: 'muted small'}, 'A scenario with problems is refused whole: the state stays as it was.'),
    problems);
  const clockCard = h('section', {class: 'card', 'aria-labelledby': 'clk-title'},
    h('h2', {id: 'clk-title'}, 'Server clock'),
    h('p', {class: 'big', id: 'overview-clock'}, fmtTime(clk.data.now)),
    h('p', {class: 'muted'}, clk.data.frozen ? 'Frozen' : 'Running', ' · Moscow time as the vendors print it · ', h('a', {href: '#/clock'}, 'Move it')));
  main.append(apis, h('div', {class: 'grid'}, scenarioCard, clockCard));
  main.lastChild.style.marginTop = '14px';
}

// ---- live requests -----------------------------------------------------------

const MAX_LIVE = 500;

function requests(main) {
  const st = {entries: [], paused: false, pending: [], selected: null, dropped: 0, ctrl: null};
  const fApi = select('f-api', [['', 'All APIs'], ...APIS.map((a) => [a, a])], '');
  const fMethod = select('f-method', [['', 'All methods'], ...['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((m) => [m, m])], '');
  const fStatus = select('f-status', [['', 'All statuses'], ['2', '2xx'], ['3', '3xx'], ['4', '4xx'], ['5', '5xx / dropped'], ['fault', 'Hit by a fault']], '');
  const fPath = h('input', {id: 'f-path', type: 'search', placeholder: '/v1/** or /panel/order', size: 18});
  const conn = h('span', {class: 'small muted', id: 'stream-state'}, h('span', {class: 'dot'}), 'connecting…');
  const pauseBtn = h('button', {type: 'button', id: 'pause', 'aria-pressed': 'false'}, 'Pause');
  const clearBtn = h('button', {type: 'button', id: 'clear-journal', class: 'danger'}, 'Clear journal');
  const tbody = h('tbody', {id: 'live-rows'});
  const empty = h('p', {class: 'empty', id: 'live-empty'}, 'No requests yet. Send one to any API and it appears here.');
  const detail = h('section', {class: 'card detail', id: 'request-detail', 'aria-label': 'Request details', hidden: true});
  const layout = h('div', {class: 'live single'},
    h('div', {}, tableWrap('Requests, newest first', h('table', {'aria-label': 'Requests, newest first'},
      h('thead', {}, h('tr', {}, h('th', {}, 'Time'), h('th', {}, 'API'), h('th', {}, 'Request'), h('th', {class: 'num'}, 'Status'), h('th', {class: 'num hide-narrow'}, 'ms'))),
      tbody), empty)), detail);
  main.append(pageHead('Live requests', 'The journal as it happens, newest first', conn, pauseBtn, clearBtn),
    h('div', {class: 'card'}, h('div', {class: 'form-grid'},
      field('API', fApi), field('Method', fMethod), field('Status', fStatus), field('Path (exact or glob)', fPath))),
    layout);
  main.children[1].style.marginBottom = '14px';

  const passes = (e) => {
    const s = fStatus.value;
    if (!s) return true;
    if (s === 'fault') return !!e.fault;
    return String(e.status || 0)[0] === s || (s === '5' && !e.status);
  };
  const rowOf = (e) => {
    const tr = h('tr', {class: 'clickable' + (e.fault ? ' faulted' : ''), 'data-id': e.id, 'data-path': e.path, 'data-fault': e.fault || null},
      h('td', {class: 'small mono'}, fmtTime(e.time).split(', ')[1] || ''),
      h('td', {}, e.api || '—'),
      h('td', {}, h('button', {type: 'button', class: 'link', onclick: (ev) => { ev.stopPropagation(); open(e, tr); }},
        h('span', {class: 'method'}, e.method), ' ', e.path + (e.query ? '?' + e.query : '')),
        e.fault ? [' ', h('span', {class: 'badge fault', title: 'fault rule ' + e.fault}, 'fault: ' + e.fault)] : null),
      h('td', {class: 'num'}, h('span', {class: 'badge ' + statusClass(e.status)}, e.status || 'none')),
      h('td', {class: 'num small hide-narrow'}, e.duration_ms.toFixed(1)));
    tr.addEventListener('click', () => open(e, tr));
    return tr;
  };
  const open = (e, tr) => {
    st.selected = e.id;
    tbody.querySelectorAll('tr.selected').forEach((r) => r.classList.remove('selected'));
    tr.classList.add('selected');
    layout.classList.remove('single');
    detail.hidden = false;
    detail.replaceChildren(...requestDetail(e, () => { detail.hidden = true; layout.classList.add('single'); tr.querySelector('button').focus(); }));
    detail.querySelector('button').focus();
  };
  const render = () => {
    tbody.replaceChildren(...st.entries.filter(passes).map(rowOf));
    empty.hidden = tbody.children.length > 0;
  };
  const add = (e) => {
    if (st.entries.length && e.id <= st.entries[0].id && st.entries.some((x) => x.id === e.id)) return;
    st.entries.unshift(e);
    st.entries.sort((a, b) => b.id - a.id);
    if (st.entries.length > MAX_LIVE) st.entries.length = MAX_LIVE;
    if (passes(e)) {
      const tr = rowOf(e);
      const after = [...tbody.children].find((r) => Number(r.dataset.id) < e.id);
      tbody.insertBefore(tr, after || null);
      while (tbody.children.length > MAX_LIVE) tbody.lastChild.remove();
      empty.hidden = true;
    }
  };
  const setConn = (on, text) => conn.replaceChildren(h('span', {class: 'dot ' + (on ? 'on' : 'off')}), text);
  const start = () => {
    if (st.ctrl) st.ctrl.abort();
    st.entries = [];
    render();
    const q = new URLSearchParams({backlog: '200'});
    if (fApi.value) q.set('api', fApi.value);
    if (fMethod.value) q.set('method', fMethod.value);
    if (fPath.value.trim()) q.set('path', fPath.value.trim());
    st.ctrl = streamJournal(q, {
      entry: (e) => { if (st.paused) { st.pending.push(e); if (st.pending.length > MAX_LIVE) st.pending.shift(); pauseBtn.textContent = `Resume (${st.pending.length} new)`; } else add(e); },
      dropped: (n) => { st.dropped += n; setConn(true, `live · ${st.dropped} dropped (too fast to show)`); },
      state: setConn,
    });
  };
  pauseBtn.onclick = () => {
    st.paused = !st.paused;
    pauseBtn.setAttribute('aria-pressed', String(st.paused));
    if (!st.paused) { st.pending.forEach(add); st.pending = []; }
    pauseBtn.textContent = st.paused ? 'Resume' : 'Pause';
  };
  clearBtn.onclick = async () => {
    await api('/requests', {method: 'DELETE'});
    st.entries = []; st.pending = [];
    render();
    detail.hidden = true; layout.classList.add('single');
    toast('Journal cleared');
  };
  fApi.onchange = fMethod.onchange = start;
  fStatus.onchange = render;
  let t;
  fPath.oninput = () => { clearTimeout(t); t = setTimeout(start, 400); };
  start();
  S.cleanup.push(() => st.ctrl && st.ctrl.abort());
}

function requestDetail(e, close) {
  const headers = Object.entries(e.headers || {}).sort().map(([k, vs]) => k + ': ' + vs.join(', ')).join('\n');
  return [
    h('div', {class: 'row between'}, h('h2', {}, h('span', {class: 'method'}, e.method), ' ', e.path),
      h('button', {type: 'button', class: 'small ghost', onclick: close, 'aria-label': 'Close the request details'}, 'Close')),
    h('dl', {class: 'kv'},
      h('dt', {}, 'Status'), h('dd', {}, h('span', {class: 'badge ' + statusClass(e.status)}, e.status || 'none (dropped)')),
      h('dt', {}, 'Fault'), h('dd', {}, e.fault ? h('span', {class: 'badge fault'}, e.fault) : '—'),
      h('dt', {}, 'Time'), h('dd', {}, fmtTime(e.time)),
      h('dt', {}, 'Duration'), h('dd', {}, e.duration_ms + ' ms'),
      h('dt', {}, 'API'), h('dd', {}, e.api || '—'),
      h('dt', {}, 'From'), h('dd', {class: 'mono'}, e.remote),
      e.query ? [h('dt', {}, 'Query'), h('dd', {}, h('pre', {}, pretty(e.query)))] : null,
      (e.contract_violations || []).length ? [h('dt', {}, 'Contract'), h('dd', {}, h('ul', {class: 'problems'}, e.contract_violations.map((v) => h('li', {}, v.path + ': ' + v.message))))] : null),
    h('h3', {}, 'Request headers'), h('pre', {}, headers),
    h('h3', {}, 'Request body', e.body_truncated ? h('span', {class: 'muted small'}, ' (first 64 KiB)') : null),
    e.body ? h('pre', {class: 'req-body'}, pretty(e.body)) : h('p', {class: 'muted'}, 'No body'),
    h('h3', {}, 'Response body', (e.truncated || []).includes('response_body') ? h('span', {class: 'muted small'}, ' (first 64 KiB)') : null),
    e.response_body ? h('pre', {class: 'req-body', id: 'response-body'}, prettyAnswer(e.response_body)) : h('p', {class: 'muted'}, 'No body'),
  ];
}

// streamJournal reads GET /__admin/requests/stream with fetch (EventSource
// cannot send the Authorization header) and reconnects after a break,
// resuming after the last entry it got.
function streamJournal(query, on) {
  const ctrl = new AbortController();
  let last = '';
  const connect = async () => {
    while (!ctrl.signal.aborted) {
      try {
        const headers = authHeaders();
        if (last) headers['Last-Event-ID'] = last;
        const res = await fetch(base() + '/__admin/requests/stream?' + query, {headers, signal: ctrl.signal});
        if (res.status === 401) { await askToken(S.token ? 'That token was refused.' : ''); continue; }
        if (!res.ok) {
          const body = await res.json().catch(() => ({}));
          on.state(false, body.error || 'stream refused: ' + res.status);
          return;
        }
        on.state(true, 'live');
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = '';
        for (;;) {
          const {value, done} = await reader.read();
          if (done) break;
          buf += value;
          let i;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const ev = parseEvent(buf.slice(0, i));
            buf = buf.slice(i + 2);
            if (ev.event === 'request') { last = ev.id; on.entry(JSON.parse(ev.data)); }
            if (ev.event === 'dropped') on.dropped(JSON.parse(ev.data).dropped);
          }
        }
      } catch (e) {
        if (ctrl.signal.aborted) return;
      }
      on.state(false, 'reconnecting…');
      await new Promise((r) => setTimeout(r, 1000));
    }
  };
  connect();
  return ctrl;
}

function parseEvent(block) {
  const ev = {event: 'message', id: '', data: ''};
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    const i = line.indexOf(':');
    const k = i < 0 ? line : line.slice(0, i);
    const v = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
    if (k === 'data') ev.data += (ev.data ? '\n' : '') + v; else ev[k] = v;
  }
  return ev;
}

// ---- business state --------------------------------------------------------

// pagedTable lists a collection one page at a time (limit/offset on
// GET /__admin/state/...), so 100 000 rows never reach the browser at once.
function pagedTable(opts) {
  const size = opts.pageSize || 20;
  let offset = 0;
  let q = '';
  const tbody = h('tbody');
  const info = h('span', {class: 'small muted', 'aria-live': 'polite'});
  const prev = h('button', {type: 'button', class: 'small'}, '← Previous');
  const next = h('button', {type: 'button', class: 'small'}, 'Next →');
  const search = opts.search === false ? null : h('input', {type: 'search', placeholder: 'Search', 'aria-label': 'Search ' + opts.title});
  const load = async () => {
    const p = new URLSearchParams(Object.assign({limit: size, offset, order: opts.order || 'desc'}, opts.where || {}));
    if (q) p.set('q', q);
    let r;
    try { r = await api('/state/' + opts.path + '?' + p); } catch (e) {
      tbody.replaceChildren(h('tr', {}, h('td', {colspan: opts.columns.length, class: 'error'}, e.message)));
      return;
    }
    const total = Number(r.headers.get('X-Total-Count') || r.data.length);
    tbody.replaceChildren(...r.data.map((row, i) => {
      const tr = h('tr', {class: opts.onOpen ? 'clickable' : ''}, opts.columns.map(([, , fn, cls], c) => {
        const v = fn(row);
        const cell = h('td', {class: cls || ''});
        if (c === 0 && opts.onOpen) cell.append(h('button', {type: 'button', class: 'link', onclick: (ev) => { ev.stopPropagation(); opts.onOpen(row, offset + i); }}, v));
        else cell.append(v instanceof Node ? v : String(v ?? ''));
        return cell;
      }));
      if (opts.onOpen) tr.addEventListener('click', () => opts.onOpen(row, offset + i));
      return tr;
    }));
    if (!r.data.length) tbody.append(h('tr', {}, h('td', {colspan: opts.columns.length, class: 'empty'}, q ? 'Nothing matches.' : 'None yet.')));
    info.textContent = total ? `${offset + 1}–${offset + r.data.length} of ${total.toLocaleString('en')}` : 'No rows';
    prev.disabled = offset === 0;
    next.disabled = offset + size >= total;
  };
  prev.onclick = () => { offset = Math.max(0, offset - size); load(); };
  next.onclick = () => { offset += size; load(); };
  let t;
  if (search) search.oninput = () => { clearTimeout(t); t = setTimeout(() => { q = search.value.trim(); offset = 0; load(); }, 300); };
  load();
  const el = h('section', {class: 'card', 'aria-label': opts.title},
    h('div', {class: 'row'}, h('h2', {}, opts.title), search),
    tableWrap(opts.title, h('table', {}, h('thead', {}, h('tr', {}, opts.columns.map(([, label, , cls]) => h('th', {class: cls || ''}, label)))), tbody)),
    h('div', {class: 'pager'}, info, h('div', {class: 'row'}, prev, next)));
  el.firstChild.style.justifyContent = 'space-between';
  el.reload = load;
  return el;
}

const rub = (v) => (v === undefined || v === null ? '' : Number(v).toLocaleString('ru-RU', {minimumFractionDigits: 2, maximumFractionDigits: 2}) + ' ₽');
const yes = (b) => (b ? 'yes' : 'no');

async function statePage(main, parts) {
  const which = APIS.includes(parts[0]) ? parts[0] : 'carreta';
  main.append(pageHead('Business state', 'What the vendors\' books hold now'),
    h('nav', {class: 'tabs', 'aria-label': 'APIs'}, APIS.map((a) => h('a', {href: '#/state/' + a, 'aria-current': a === which ? 'page' : null}, a))));
  const detail = h('div', {id: 'state-detail'});
  const body = h('div', {class: 'live single'}, h('div', {class: 'stack', id: 'state-lists'}), detail);
  main.append(body);
  const lists = body.firstChild;
  const show = (...kids) => {
    body.classList.remove('single');
    detail.replaceChildren(h('section', {class: 'card detail', 'aria-label': 'Details'}, h('div', {class: 'row end'},
      h('button', {type: 'button', class: 'small ghost', onclick: () => { detail.replaceChildren(); body.classList.add('single'); }}, 'Close')), ...kids));
    const f = detail.querySelector('h2');
    if (f) { f.tabIndex = -1; f.focus(); }
  };
  if (which === 'carreta') carretaState(lists, show);
  if (which === 'saplab') await saplabState(lists, show);
  if (which === 'amapi') amapiState(lists, show);
}

// orderName is the name a person knows an order by: a carreta order's
// number (A111346-1) where it has one, else its id. Every place that shows
// an order (the state page, the clock's preview and its changes) uses it.
const orderName = (o) => o.number || String(o.id);

function carretaState(lists, show) {
  const statusName = (id) => (CARRETA_STATUSES.find(([n]) => n === id) || [0, String(id)])[1];
  const statusBadge = (id) => h('span', {class: 'badge ' + ([8, 10].includes(id) ? 'bad' : [5, 7, 14].includes(id) ? 'ok' : 'info')}, statusName(id));
  const orders = pagedTable({title: 'Orders', path: 'carreta/orders', columns: [
    ['id', 'Order', orderName, 'nowrap'], ['', 'Status', (o) => statusBadge(o.status)],
    ['', 'Part', (o) => `${o.maker} ${o.code} · ${o.name}`], ['', 'Qty', (o) => o.order_qty, 'num'],
    ['', 'Total', (o) => rub(o.total), 'num'], ['', 'Created', (o) => fmtTime(o.created), 'hide-narrow']],
  onOpen: (o) => carretaOrder(o, show, statusBadge, () => orders.reload())});
  const accounts = pagedTable({title: 'Accounts', path: 'carreta/accounts', order: 'asc', search: false, columns: [
    ['id', 'Id', (a) => a.id], ['', 'Name', (a) => a.name], ['', 'City', (a) => a.city],
    ['', 'Balance', (a) => rub(a.balance), 'num'], ['', 'Allowed IPs', (a) => (a.allowed_ips || []).join(', ') || 'any']]});
  lists.append(orders, accounts);
}

async function carretaOrder(o, show, statusBadge, reload) {
  const hist = await api('/state/carreta/history/' + o.id, {allowError: true});
  const entries = Array.isArray(hist.data) ? hist.data : [];
  const pick = select('move-status', CARRETA_STATUSES.map(([n, t]) => [n, `${n} · ${t}`]), o.status);
  const comment = h('input', {id: 'move-comment', type: 'text', placeholder: 'optional'});
  const move = h('button', {type: 'button', class: 'primary', id: 'move-order', onclick: async () => {
    try {
      const r = await api(`/carreta/orders/${o.id}/status`, {method: 'POST', body: comment.value ? {status: Number(pick.value), comment: comment.value} : {status: Number(pick.value)}});
      toast('Order moved');
      reload();
      carretaOrder(Object.assign({}, o, r.data && r.data.status ? r.data : {status: Number(pick.value)}), show, statusBadge, reload);
    } catch (e) { toast(e.message, true); }
  }}, 'Move');
  show(h('h2', {}, 'Order ', orderName(o)), statusBadge(o.status),
    h('dl', {class: 'kv'}, h('dt', {}, 'Part'), h('dd', {}, `${o.maker} ${o.code}`), h('dt', {}, 'Name'), h('dd', {}, o.name),
      h('dt', {}, 'Price × qty'), h('dd', {}, `${rub(o.price)} × ${o.order_qty}`), h('dt', {}, 'Total'), h('dd', {}, rub(o.total)),
      h('dt', {}, 'Delivery'), h('dd', {}, `${o.period_min}–${o.period_max} days`), h('dt', {}, 'Comment'), h('dd', {}, o.client_comment || '—'),
      h('dt', {}, 'Created'), h('dd', {}, fmtTime(o.created))),
    h('h3', {}, 'Move the status'),
    h('div', {class: 'form-grid'}, field('New status', pick), field('Comment', comment), move),
    h('p', {class: 'muted small'}, 'A manual move takes the order off its automatic path.'),
    h('h3', {}, 'History'),
    h('ul', {class: 'history'}, entries.map((e) => h('li', {}, h('time', {}, fmtTime(e.created)), e.comment))));
}

async function saplabState(lists, show) {
  const [st, gr] = await Promise.all(['statuses', 'groups'].map((c) => api(`/state/saplab/${c}?limit=1000&order=asc`).catch(() => ({data: []}))));
  const statuses = Object.fromEntries(st.data.map((s) => [s.id, s.name]));
  const groups = Object.fromEntries(gr.data.map((g) => [g.id, g.name]));
  const clients = pagedTable({title: 'Clients', path: 'saplab/clients', columns: [
    ['id', 'Client', (c) => c.name], ['', 'Phone', (c) => c.phone, 'hide-narrow'], ['', 'Balance', (c) => rub(c.balance), 'num'],
    ['', 'Group', (c) => groups[c.group_id] || c.group_id], ['', 'Active', (c) => yes(c.status)]],
  onOpen: (c) => saplabClient(c.id, show, statuses)});
  const positions = pagedTable({title: 'Positions', path: 'saplab/orders', columns: positionColumns(statuses),
    onOpen: (p) => saplabPosition(p, show, statuses)});
  lists.append(clients, positions);
}

function positionColumns(statuses) {
  return [['id', 'Position', (p) => `${p.brand} ${p.article}`], ['', 'Name', (p) => p.name, 'hide-narrow'],
    ['', 'Status', (p) => h('span', {class: 'badge ' + (p.is_denied ? 'bad' : 'info')}, statuses[p.status_id] || p.status_id)],
    ['', 'Sum', (p) => rub(Number(p.price) * p.quantity), 'num'], ['', 'Paid', (p) => yes(p.is_payed)], ['', 'Archived', (p) => yes(p.is_archived), 'hide-narrow']];
}

async function saplabClient(id, show, statuses) {
  const c = (await api('/saplab/clients/' + id)).data;
  const ledger = pagedTable({title: 'Ledger', path: 'saplab/transactions', where: {'where.client_id': id}, search: false, pageSize: 10, columns: [
    ['', 'Date', (t) => fmtTime(t.created)], ['', 'Amount', (t) => rub(t.amount), 'num'], ['', 'Comment', (t) => t.comment]]});
  const positions = pagedTable({title: 'Positions', path: 'saplab/orders', where: {'where.client_id': id}, search: false, pageSize: 10,
    columns: positionColumns(statuses), onOpen: (p) => saplabPosition(p, show, statuses)});
  show(h('h2', {}, c.name),
    h('dl', {class: 'kv'}, h('dt', {}, 'Balance'), h('dd', {id: 'client-balance'}, rub(c.balance)), h('dt', {}, 'Debt'), h('dd', {}, rub(c.debt)),
      h('dt', {}, 'Blocked debt'), h('dd', {}, rub(c.blocked_debt)), h('dt', {}, 'Group'), h('dd', {}, c.group || '—'),
      h('dt', {}, 'Limit'), h('dd', {}, rub(c.limit)), h('dt', {}, 'Phone'), h('dd', {}, c.phone), h('dt', {}, 'Email'), h('dd', {}, c.email)),
    ledger, positions);
}

function saplabPosition(p, show, statuses) {
  show(h('h2', {}, `${p.brand} ${p.article}`), h('p', {}, p.name),
    h('dl', {class: 'kv'}, h('dt', {}, 'Status'), h('dd', {}, statuses[p.status_id] || p.status_id), h('dt', {}, 'Client'), h('dd', {}, p.client_id),
      h('dt', {}, 'Price × qty'), h('dd', {}, `${rub(p.price)} × ${p.quantity}`), h('dt', {}, 'Paid'), h('dd', {}, yes(p.is_payed)),
      h('dt', {}, 'Archived'), h('dd', {}, yes(p.is_archived)), h('dt', {}, 'Denied'), h('dd', {}, yes(p.is_denied)), h('dt', {}, 'Invoice'), h('dd', {}, p.invoice || '—')),
    h('h3', {}, 'History'),
    h('ul', {class: 'history'}, (p.history || []).map((e) => h('li', {}, h('time', {}, fmtTime(e.date)), e.status, e.manager ? ` · ${e.manager}` : ''))));
}

function amapiState(lists, show) {
  const orders = pagedTable({title: 'Orders', path: 'amapi/orders', columns: [
    ['id', 'Order', (o) => String(o.id)], ['', 'Code', (o) => o.code || o.order_code || ''], ['', 'User', (o) => o.user_id ?? ''],
    ['', 'Created', (o) => fmtTime(o.created_at || o.created)]],
  onOpen: (o) => show(h('h2', {}, 'Order ', o.id), h('h3', {}, 'As stored, with the full request'), h('pre', {}, pretty(o)))});
  const users = pagedTable({title: 'Users', path: 'amapi/users', order: 'asc', columns: [
    ['id', 'Id', (u) => u.id], ['', 'Name', (u) => u.name], ['', 'Email', (u) => u.email], ['', 'Created', (u) => fmtTime(u.created_at), 'hide-narrow']]});
  lists.append(orders, users);
}

// ---- faults ----------------------------------------------------------------

const TEMPLATES = {
  'carreta order outage': {id: 'carreta-order-outage', api: 'carreta', method: 'POST', path: '/v1/order/', when: {every: 1}, phase: 'before',
    action: {status: 503, body: '{"error": "Service Unavailable"}'}},
  'slow saplab': {id: 'slow-saplab', api: 'saplab', method: '', path: '/panel/**', when: {every: 1}, phase: 'before', action: {delay: '1500ms'}},
  'lose amapi order answer after commit': {id: 'amapi-order-answer-lost', api: 'amapi', method: 'POST', path: '/api/create-order', when: {nth: 1}, phase: 'after', action: {drop: true}},
};

function ordinal(n) {
  const tail = n % 100 >= 11 && n % 100 <= 13 ? 'th' : ({1: 'st', 2: 'nd', 3: 'rd'}[n % 10] || 'th');
  return n + tail;
}

function describeWhen(w) {
  const parts = [];
  if (w.nth) parts.push(`the ${ordinal(w.nth)} request`);
  if (w.every) parts.push(w.every === 1 ? 'every request' : `every ${ordinal(w.every)}`);
  if (w.after) parts.push(`after ${w.after}`);
  if (w.probability !== undefined) parts.push(`p = ${w.probability}`);
  if (w.times) parts.push(`${w.times} times at most`);
  return parts.join(', ') || 'every request';
}

function describeAction(a) {
  const parts = [];
  if (a.status) parts.push(String(a.status));
  if (a.delay) parts.push('delay ' + (typeof a.delay === 'string' ? a.delay : `${a.delay.min}–${a.delay.max}`));
  if (a.drop) parts.push('drop the connection');
  if (a.truncate) parts.push('truncate the body');
  return parts.join(', ');
}

async function faults(main) {
  const tbody = h('tbody', {id: 'fault-rows'});
  const load = async () => {
    const r = await api('/faults');
    tbody.replaceChildren(...r.data.faults.map((f) => h('tr', {'data-fault': f.id},
      h('td', {class: 'mono'}, f.id), h('td', {}, f.api), h('td', {class: 'mono'}, (f.method || 'any') + ' ' + f.path),
      h('td', {}, describeWhen(f.when || {}), f.phase === 'after' ? ' · after the handler' : ''), h('td', {}, describeAction(f.action || {})),
      h('td', {class: 'num'}, String(f.fired)), h('td', {class: 'num hide-narrow'}, String(f.matched)),
      h('td', {}, h('button', {type: 'button', class: 'small danger', 'aria-label': 'Remove fault ' + f.id, onclick: async () => {
        await api('/faults/' + encodeURIComponent(f.id), {method: 'DELETE'}); toast('Removed ' + f.id); load();
      }}, 'Remove')))));
    if (!r.data.faults.length) tbody.append(h('tr', {}, h('td', {colspan: 8, class: 'empty'}, 'No fault armed: every request is answered normally.')));
  };
  const form = faultForm(load);
  main.append(pageHead('Faults', 'Rules that break requests on purpose',
    h('button', {type: 'button', class: 'danger', id: 'clear-faults', onclick: async () => { await api('/faults', {method: 'DELETE'}); toast('All faults removed'); load(); }}, 'Clear all')),
  tableWrap('Armed fault rules', h('table', {'aria-label': 'Armed fault rules'}, h('thead', {}, h('tr', {},
    ['Id', 'API', 'Request', 'When', 'Action'].map((t) => h('th', {}, t)), h('th', {class: 'num'}, 'Fired'), h('th', {class: 'num hide-narrow'}, 'Matched'), h('th', {}, h('span', {class: 'visually-hidden'}, 'Actions')))), tbody)),
  form);
  form.style.marginTop = '14px';
  await load();
}

function faultForm(reload) {
  const id = h('input', {id: 'fault-id', required: true, placeholder: 'my-outage'});
  const apiSel = select('fault-api', [...APIS, 'any'].map((a) => [a, a]), 'carreta');
  const method = select('fault-method', [['', 'any'], ...['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((m) => [m, m])], '');
  const path = h('input', {id: 'fault-path', required: true, placeholder: '/v1/order/ or /panel/**'});
  const whenKind = select('fault-when', [['every', 'every Nth request'], ['nth', 'the Nth request'], ['after', 'after N requests'], ['probability', 'with probability']], 'every');
  const whenVal = h('input', {id: 'fault-when-value', value: '1', inputmode: 'decimal'});
  const times = h('input', {id: 'fault-times', inputmode: 'numeric', placeholder: 'unlimited'});
  const phase = select('fault-phase', [['before', 'before handler'], ['after', 'after commit']], 'before');
  const status = h('input', {id: 'fault-status', inputmode: 'numeric', placeholder: '503'});
  const delay = h('input', {id: 'fault-delay', placeholder: '1500ms'});
  const drop = h('input', {id: 'fault-drop', type: 'checkbox'});
  const truncate = h('input', {id: 'fault-truncate', type: 'checkbox'});
  const body = h('textarea', {id: 'fault-body', rows: 2, placeholder: '{"error": "Service Unavailable"}'});
  const problem = h('p', {class: 'error', id: 'fault-error', hidden: true});
  const fill = (t) => {
    id.value = t.id; apiSel.value = t.api; method.value = t.method || ''; path.value = t.path; phase.value = t.phase || 'before';
    const [k, v] = Object.entries(t.when)[0]; whenKind.value = k; whenVal.value = v; times.value = '';
    status.value = t.action.status || ''; body.value = t.action.body || ''; delay.value = t.action.delay || '';
    drop.checked = !!t.action.drop; truncate.checked = !!t.action.truncate;
    $('#arm-fault').focus();
  };
  const arm = async (ev) => {
    ev.preventDefault();
    problem.hidden = true;
    const when = {[whenKind.value]: Number(whenVal.value)};
    if (times.value) when.times = Number(times.value);
    const action = {};
    if (status.value) action.status = Number(status.value);
    if (body.value) action.body = body.value;
    if (delay.value) action.delay = delay.value;
    if (drop.checked) action.drop = true;
    if (truncate.checked) action.truncate = true;
    const rule = {id: id.value.trim(), api: apiSel.value, path: path.value.trim(), when, phase: phase.value, action};
    if (method.value) rule.method = method.value;
    try {
      await api('/faults', {method: 'POST', body: rule});
      toast('Armed ' + rule.id);
      reload();
    } catch (e) { problem.textContent = e.message; problem.hidden = false; }
  };
  return h('form', {class: 'card', id: 'fault-form', 'aria-labelledby': 'ff-title', onsubmit: arm},
    h('h2', {id: 'ff-title'}, 'Arm a fault'),
    h('div', {class: 'row'}, h('span', {class: 'small muted'}, 'Templates:'), Object.entries(TEMPLATES).map(([name, t]) =>
      h('button', {type: 'button', class: 'small', onclick: () => fill(t)}, name))),
    h('div', {class: 'form-grid'}, field('Id', id), field('API', apiSel), field('Method', method), field('Path (exact or glob)', path),
      field('When', whenKind), field('N or probability', whenVal), field('Times at most', times), field('Phase (after: answer lost)', phase),
      field('Answer status', status), field('Delay', delay),
      h('label', {class: 'check'}, drop, 'Drop the connection'), h('label', {class: 'check'}, truncate, 'Truncate the body'),
      h('div', {class: 'wide'}, field('Answer body', body))),
    problem,
    h('div', {class: 'row end'}, h('button', {type: 'submit', class: 'primary', id: 'arm-fault'}, 'Arm fault')));
}

// ---- clock -------------------------------------------------------------------

// orderStatuses reads the newest carreta orders' and saplab positions'
// statuses, to show what a clock move changed (the lifecycles' moves).
async function orderStatuses() {
  const [c, s] = await Promise.all([api('/state/carreta/orders?limit=200&order=desc'), api('/state/saplab/orders?limit=200&order=desc')]);
  const out = new Map();
  c.data.forEach((o) => out.set('carreta ' + o.id, {label: 'carreta order ' + orderName(o), status: o.status, name: (CARRETA_STATUSES.find(([n]) => n === o.status) || [0, o.status])[1]}));
  s.data.forEach((p) => out.set('saplab ' + p.id, {label: `saplab position ${p.id} (${p.brand} ${p.article})`, status: p.status_id, name: 'status ' + p.status_id}));
  return out;
}

// previewList shows GET /__admin/clock/preview's answer: the automatic
// moves a clock move would apply, before it is made.
function previewList(p) {
  const rows = p.moves.map((m) => h('tr', {'data-key': m.api + ' ' + m.id, 'data-to': m.to},
    h('td', {class: 'hide-narrow'}, m.api), h('td', {class: 'nowrap'}, h('span', {class: 'show-narrow'}, m.api), h('span', {class: 'mono'}, orderName(m))), h('td', {}, m.from_name || m.from, ' → ', m.to_name || m.to), h('td', {}, fmtTime(m.at))));
  return [h('h3', {}, 'Until ', fmtTime(p.to), ': ', p.total === 1 ? '1 automatic move' : p.total + ' automatic moves'),
    p.total ? h('div', {class: 'table-wrap'}, h('table', {}, h('caption', {class: 'visually-hidden'}, 'Moves the clock move would apply'),
      h('thead', {}, h('tr', {}, h('th', {scope: 'col', class: 'hide-narrow'}, 'API'), h('th', {scope: 'col'}, 'Order'), h('th', {scope: 'col'}, 'Status'), h('th', {scope: 'col'}, 'When'))),
      h('tbody', {}, rows))) : h('p', {class: 'muted'}, 'No order or position would change status.'),
    p.total > p.moves.length ? h('p', {class: 'muted small'}, `The first ${p.moves.length} of ${p.total}.`) : null];
}

async function clock(main) {
  const now = h('p', {class: 'big', id: 'clock-now'});
  const mode = h('p', {class: 'muted', id: 'clock-mode'});
  const changes = h('div', {id: 'clock-changes'});
  const preview = h('div', {id: 'clock-preview', 'aria-live': 'polite'});
  const show = (c) => { now.textContent = fmtTime(c.now); now.dataset.iso = c.now; mode.textContent = c.frozen ? 'Frozen: time stands still until you unfreeze it.' : 'Running with real time.'; freeze.textContent = c.frozen ? 'Unfreeze' : 'Freeze'; freeze.setAttribute('aria-pressed', String(c.frozen)); };
  let asked = 0;
  const ahead = async (q) => {
    const n = ++asked;
    if (!q) { preview.replaceChildren(); return; }
    try {
      const r = await api('/clock/preview?' + q);
      if (n === asked) { preview.replaceChildren(...previewList(r.data).filter(Boolean)); preview.dataset.to = r.data.to; }
    } catch (e) { if (n === asked) preview.replaceChildren(h('p', {class: 'error'}, e.message)); }
  };
  const setValue = () => setAt.value ? setAt.value.replace('T', ' ') + (setAt.value.length === 16 ? ':00' : '') : '';
  const move = async (body, what) => {
    let before;
    try { before = await orderStatuses(); } catch (_) { before = null; }
    try {
      const r = await api('/clock', {method: 'POST', body});
      show(r.data);
      toast(what);
    } catch (e) { toast(e.message, true); return; }
    ahead(adv.value.trim() ? 'advance=' + encodeURIComponent(adv.value.trim()) : '');
    if (!before) return;
    const after = await orderStatuses();
    const moved = [...after].filter(([k, o]) => before.has(k) && before.get(k).status !== o.status);
    changes.replaceChildren(h('h3', {}, 'What the last move changed'), moved.length
      ? h('ul', {}, moved.map(([k, o]) => h('li', {'data-key': k, 'data-to': o.status}, `${o.label}: ${before.get(k).name} → ${o.name}`)))
      : h('p', {class: 'muted'}, 'No order changed status (of the 200 newest of each API).'));
  };
  const adv = h('input', {id: 'advance-by', value: '1h', size: 8});
  const setAt = h('input', {id: 'set-to', type: 'datetime-local', step: 1});
  const freeze = h('button', {type: 'button', id: 'freeze'}, 'Freeze');
  let t;
  adv.oninput = () => { clearTimeout(t); t = setTimeout(() => ahead(adv.value.trim() ? 'advance=' + encodeURIComponent(adv.value.trim()) : ''), 250); };
  setAt.oninput = () => { const v = setValue(); if (v) ahead('set=' + encodeURIComponent(v)); };
  main.append(pageHead('Clock', 'The server\'s time: lifecycles, timestamps and tokens follow it'),
    h('div', {class: 'grid'},
      h('section', {class: 'card', 'aria-label': 'Now'}, h('h2', {}, 'Server time'), now, mode,
        h('div', {class: 'row'}, freeze, h('button', {type: 'button', id: 'clock-reset', onclick: () => move({reset: true}, 'Back to real time')}, 'Back to real time'))),
      h('section', {class: 'card stack', 'aria-label': 'Move the clock'}, h('h2', {}, 'Move'),
        h('form', {class: 'row bottom', onsubmit: (e) => { e.preventDefault(); move({advance: adv.value.trim()}, 'Advanced by ' + adv.value); }},
          field('Advance by (2h, 3h30m, -15m)', adv), h('button', {type: 'submit', class: 'primary', id: 'advance'}, 'Advance')),
        h('div', {class: 'row'}, h('span', {class: 'small muted'}, 'Quick:'), ['1h', '24h', '72h', '168h'].map((d) => h('button', {type: 'button', class: 'small', onclick: () => move({advance: d}, 'Advanced by ' + d)}, '+' + d))),
        h('form', {class: 'row bottom', onsubmit: (e) => { e.preventDefault(); if (setAt.value) move({set: setValue()}, 'Clock set'); }},
          field('Set to (Moscow time)', setAt), h('button', {type: 'submit', id: 'set-clock'}, 'Set')))),
    h('section', {class: 'card', 'aria-labelledby': 'lc-title'}, h('h2', {id: 'lc-title'}, 'Order lifecycles'),
      h('p', {class: 'muted'}, 'Moving the clock forward applies every automatic status move it passes (carreta\'s lifecycle, and saplab\'s when a scenario sets one). What the move in the form would apply is previewed here as you type; what a move changed is listed after it.'),
      preview, changes));
  main.lastChild.style.marginTop = '14px';
  freeze.onclick = () => move({freeze: freeze.getAttribute('aria-pressed') !== 'true'}, 'Clock ' + (freeze.getAttribute('aria-pressed') === 'true' ? 'running' : 'frozen'));
  show((await api('/clock')).data);
  ahead('advance=' + encodeURIComponent(adv.value));
}

// ---- worlds ------------------------------------------------------------------

async function refreshWorlds() {
  const pick = $('#world-picker');
  let list = [];
  try { list = (await api('/worlds', {root: true})).data.worlds; } catch (_) { /* no worlds, or no token yet */ }
  if (S.world && !list.some((w) => w.id === S.world)) { setWorld(''); }
  pick.replaceChildren(h('option', {value: ''}, 'root'), ...list.map((w) => h('option', {value: w.id, selected: w.id === S.world}, `${w.id} (${w.scenario})`)));
  return list;
}

function setWorld(id) {
  S.world = id;
  if (id) sessionStorage.setItem(WORLD_KEY, id); else sessionStorage.removeItem(WORLD_KEY);
  $('#world-picker').value = id;
}

async function worlds(main) {
  const tbody = h('tbody', {id: 'world-rows'});
  const load = async () => {
    const list = await refreshWorlds();
    tbody.replaceChildren(...list.map((w) => h('tr', {},
      h('td', {class: 'mono'}, w.id, w.id === S.world ? [' ', h('span', {class: 'badge info'}, 'shown')] : null), h('td', {}, w.scenario),
      h('td', {class: 'num'}, String(w.requests)), h('td', {class: 'hide-narrow'}, fmtTime(w.created)), h('td', {}, fmtTime(w.expires)),
      h('td', {class: 'row'}, h('button', {type: 'button', class: 'small', onclick: () => { setWorld(w.id); load(); toast('Showing world ' + w.id); }}, 'Show'),
        h('button', {type: 'button', class: 'small danger', 'aria-label': 'Delete world ' + w.id, onclick: async () => {
          await api('/worlds/' + w.id, {method: 'DELETE', root: true}); toast('Deleted ' + w.id); load();
        }}, 'Delete')))));
    if (!list.length) tbody.append(h('tr', {}, h('td', {colspan: 6, class: 'empty'}, 'No world yet: the console shows the root world.')));
  };
  const sc = select('world-scenario', SCENARIOS.map((n) => [n, n]), 'default');
  const ttl = h('input', {id: 'world-ttl', value: '30m', size: 6});
  main.append(pageHead('Worlds', 'Isolated mocks on this server, one per test',
    h('button', {type: 'button', onclick: () => { setWorld(''); load(); }}, 'Show the root world')),
  tableWrap('Worlds', h('table', {'aria-label': 'Worlds'}, h('thead', {}, h('tr', {},
    ['Id', 'Scenario'].map((t) => h('th', {}, t)), h('th', {class: 'num'}, 'Requests'), h('th', {class: 'hide-narrow'}, 'Created'), h('th', {}, 'Expires'), h('th', {}, h('span', {class: 'visually-hidden'}, 'Actions')))), tbody)),
  h('form', {class: 'card', 'aria-label': 'Create a world', onsubmit: async (e) => {
    e.preventDefault();
    try { const r = await api('/worlds', {method: 'POST', root: true, body: {scenario: sc.value, ttl: ttl.value}}); toast('Created ' + r.data.id); load(); } catch (err) { toast(err.message, true); }
  }}, h('h2', {}, 'Create a world'), h('div', {class: 'row'}, field('Scenario', sc), field('Lives without a request for', ttl), h('button', {type: 'submit', class: 'primary'}, 'Create'))));
  main.lastChild.style.marginTop = '14px';
  await load();
}

// ---- API reference -------------------------------------------------------

async function reference(main, parts) {
  const which = APIS.includes(parts[0]) ? parts[0] : 'carreta';
  main.append(pageHead('API reference', 'The OpenAPI 3.1 documents this mock is held to'),
    h('nav', {class: 'tabs', 'aria-label': 'APIs'}, APIS.map((a) => h('a', {href: '#/reference/' + a, 'aria-current': a === which ? 'page' : null}, a))));
  const doc = (await api('/openapi/' + which + '.json')).data;
  const resolve = (s) => {
    let n = 0;
    while (s && s.$ref && n++ < 10) s = s.$ref.replace(/^#\//, '').split('/').reduce((o, k) => (o ? o[k.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined), doc);
    return s || {};
  };
  main.append(h('section', {class: 'card'}, h('h2', {}, doc.info.title, ' ', h('span', {class: 'muted small'}, doc.info.version)),
    doc.info.description ? h('div', {id: 'api-description'}, markdown(doc.info.description)) : null,
    h('p', {class: 'mono small'}, (doc.servers || []).map((s) => s.url).join(' · '))));
  const ops = h('div', {id: 'operations'});
  ops.style.marginTop = '14px';
  for (const [path, item] of Object.entries(doc.paths || {})) {
    for (const verb of ['get', 'post', 'put', 'patch', 'delete']) {
      const op = item[verb];
      if (!op) continue;
      const params = [...(item.parameters || []), ...(op.parameters || [])].map(resolve);
      const reqBody = op.requestBody ? resolve(op.requestBody) : null;
      ops.append(h('details', {class: 'op'},
        h('summary', {}, h('span', {class: 'verb ' + verb}, verb.toUpperCase()), h('code', {}, path), h('span', {class: 'muted'}, op.summary || '')),
        h('div', {class: 'body'},
          op.description ? markdown(op.description) : null,
          params.length ? [h('h3', {}, 'Parameters'), tableWrap('Parameters', h('table', {}, h('thead', {}, h('tr', {}, ['Name', 'In', 'Type', 'Description'].map((t) => h('th', {}, t)))),
            h('tbody', {}, params.map((p) => h('tr', {}, h('td', {class: 'mono'}, p.name, p.required ? h('span', {class: 'req error'}, ' *') : null), h('td', {}, p.in),
              h('td', {class: 'mono'}, typeOf(resolve(p.schema))), h('td', {}, inlineMarkdown(p.description || '')))))))] : null,
          reqBody ? [h('h3', {}, 'Request body'), Object.entries(reqBody.content || {}).map(([ct, m]) => h('div', {}, h('p', {class: 'mono small muted'}, ct), schemaTree(resolve(m.schema), resolve, 0)))] : null,
          h('h3', {}, 'Responses'),
          Object.entries(op.responses || {}).map(([code, r0]) => {
            const r = resolve(r0);
            const media = Object.entries(r.content || {})[0];
            return h('div', {}, h('p', {}, h('span', {class: 'badge ' + statusClass(Number(code))}, code), ' ', inlineMarkdown(r.description || '')),
              media ? schemaTree(resolve(media[1].schema), resolve, 0) : null);
          }))));
    }
  }
  main.append(ops);
}

// markdown renders the subset of Markdown the OpenAPI documents' descriptions
// use: paragraphs (blank-line separated), "- " lists (an item goes on over
// lines that do not start a new one), `code`, **bold** and [text](url). It
// builds elements and text nodes, never HTML from the text, so nothing in a
// description can inject markup; a link is made only to an http(s) URL.
function markdown(text) {
  const blocks = [];
  let para = null, list = null, item = null;
  for (const line of String(text).split('\n')) {
    const t = line.trim();
    if (!t) { para = list = item = null; continue; }
    if (t.startsWith('- ')) {
      para = null;
      if (!list) blocks.push(list = {items: []});
      list.items.push(item = [t.slice(2)]);
    } else if (item) item.push(t);
    else {
      if (!para) blocks.push(para = {lines: []});
      para.lines.push(t);
    }
  }
  return blocks.map((b) => b.items
    ? h('ul', {class: 'md'}, b.items.map((lines) => h('li', {}, inlineMarkdown(lines.join(' ')))))
    : h('p', {}, inlineMarkdown(b.lines.join(' '))));
}

// inlineMarkdown is one paragraph's `code`, **bold** and [text](url), the
// rest as text.
function inlineMarkdown(text) {
  const out = [];
  const re = /`([^`]+)`|\*\*([^*]+)\*\*|\[([^\]]+)\]\(([^)\s]+)\)/g;
  let at = 0;
  for (const m of String(text).matchAll(re)) {
    if (m.index > at) out.push(text.slice(at, m.index));
    if (m[1] !== undefined) out.push(h('code', {}, m[1]));
    else if (m[2] !== undefined) out.push(h('strong', {}, m[2]));
    else out.push(/^https?:\/\//.test(m[4]) ? h('a', {href: m[4], rel: 'noreferrer'}, m[3]) : m[0]);
    at = m.index + m[0].length;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}

function typeOf(s) {
  if (!s) return '';
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  const t = Array.isArray(s.type) ? s.type.join(' | ') : s.type || (s.oneOf || s.anyOf ? 'one of' : s.properties ? 'object' : '');
  return t === 'array' && s.items ? 'array of ' + (typeOf(s.items) || 'object') : t + (s.format ? ` (${s.format})` : '');
}

// schemaTree shows a schema's properties as a nested list, a few levels deep.
function schemaTree(s, resolve, depth) {
  if (!s || depth > 4) return null;
  if (s.type === 'array' && s.items) return schemaTree(resolve(s.items), resolve, depth);
  const alts = s.oneOf || s.anyOf;
  if (alts) return h('ul', {class: 'schema'}, alts.map((a, i) => h('li', {}, h('span', {class: 't'}, `variant ${i + 1}: ${typeOf(resolve(a))}`), schemaTree(resolve(a), resolve, depth + 1))));
  const props = Object.entries(s.properties || {});
  if (!props.length) return depth === 0 ? h('p', {class: 'mono small'}, typeOf(s) || 'any') : null;
  const req = new Set(s.required || []);
  return h('ul', {class: 'schema'}, props.map(([name, p0]) => {
    const p = resolve(p0);
    return h('li', {}, name, req.has(name) ? h('span', {class: 'req'}, '*') : null, ': ', h('span', {class: 't'}, typeOf(p)),
      p.description ? h('span', {class: 'muted'}, ' — ', inlineMarkdown(p.description)) : null,
      schemaTree(p.type === 'array' ? resolve(p.items) : p, resolve, depth + 1));
  }));
}

// ---- start ---------------------------------------------------------------

function init() {
  // A control call that fails where no form shows its error (a refused
  // delete, a dropped connection) is told in the toast, not lost.
  window.addEventListener('unhandledrejection', (e) => { toast(e.reason && e.reason.message ? e.reason.message : String(e.reason), true); e.preventDefault(); });
  $('#forget-token').hidden = !S.token;
  $('#forget-token').onclick = () => { sessionStorage.removeItem(TOKEN_KEY); S.token = ''; $('#forget-token').hidden = true; toast('Token forgotten for this tab'); };
  $('#world-picker').onchange = (e) => { setWorld(e.target.value); route(); };
  $('#token-form').addEventListener('submit', () => {});
  window.addEventListener('hashchange', () => { route(); $('#main').focus(); });
  refreshWorlds().then(route);
}

init();
