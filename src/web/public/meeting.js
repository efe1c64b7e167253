// The meeting sheet: totals that follow what is typed, and a submission that survives a dropped connection.
// Before anything is sent, the sheet and its idempotency key are saved in the phone's storage; the same key goes with
// every retry (after a network failure, a server error, the phone going back online or the page being opened again),
// so the service answers a repeat with the first result and the meeting is never recorded twice. The storage is
// cleared once the service has accepted the sheet. A sheet the service refused stays stored, marked, with its reasons,
// and is never sent again by itself: it waits on its own date's page for the leader to correct it. Amounts are summed
// as whole minor units (BigInt), never floats.
(function () {
  'use strict';
  var form = document.getElementById('meeting-form');
  if (!form) return;
  var groupId = form.getAttribute('data-group-id');
  var lang = form.getAttribute('data-lang');
  var digits = Number(form.getAttribute('data-currency-digits')) || 0;
  var symbol = form.getAttribute('data-currency-symbol') || '';
  var texts = JSON.parse(form.getAttribute('data-texts') || '{}');
  var storageKey = 'fund-ledger:pending-sheet:' + groupId;
  var status = document.getElementById('sheet-status');
  var button = form.querySelector('button[type="submit"]');
  var formDate = form.getAttribute('data-date');
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute('content') : '';
  var groupSeparator = lang === 'vi' ? '.' : ',';
  var decimalSeparator = lang === 'vi' ? ',' : '.';

  function parseAmount(text) {
    var compact = String(text || '').replace(/[\s\u00a0₫]/g, '').replace(/(VND|đ)$/i, '');
    if (compact === '') return BigInt(0);
    // As the service reads it (src/web/format.ts, parseAmountInput): the language's marks, whatever the currency, so
    // that "1.234,5" đồng is unreadable here rather than 12.345; a fraction of zeros only is dropped.
    var match = /^(\d+)(?:\.(\d+))?$/.exec(compact.split(groupSeparator).join('').replace(decimalSeparator, '.'));
    var fraction = match ? (match[2] || '').replace(/0+$/, '') : '';
    if (!match || fraction.length > digits) return null;
    return BigInt(match[1] + fraction.padEnd(digits, '0'));
  }

  function formatAmount(units) {
    var negative = units < BigInt(0);
    var text = (negative ? -units : units).toString().padStart(digits + 1, '0');
    var whole = digits === 0 ? text : text.slice(0, -digits);
    var fraction = digits === 0 ? '' : decimalSeparator + text.slice(-digits);
    return (negative ? '-' : '') + whole.replace(/\B(?=(\d{3})+(?!\d))/g, groupSeparator) + fraction + '\u00a0' + symbol;
  }

  function updateTotals() {
    var sums = { repayment: BigInt(0), compulsory: BigInt(0), voluntary: BigInt(0) };
    var readable = true;
    form.querySelectorAll('input[data-column]').forEach(function (input) {
      var units = parseAmount(input.value);
      if (units === null) readable = false;
      else sums[input.getAttribute('data-column')] += units;
    });
    var all = sums.repayment + sums.compulsory + sums.voluntary;
    Object.keys(sums).forEach(function (column) {
      var cell = form.querySelector('[data-total="' + column + '"]');
      if (cell) cell.textContent = formatAmount(sums[column]);
    });
    var grand = form.querySelector('[data-total="all"]');
    if (grand) grand.textContent = readable ? formatAmount(all) : '?';
    var check = form.querySelector('[data-cash-check]');
    var cash = parseAmount(form.elements.cashTotal.value);
    if (!check) return;
    if (form.elements.cashTotal.value.trim() === '' || cash === null || !readable) check.textContent = '';
    else if (cash === all) check.textContent = texts.cashMatches;
    else check.textContent = texts.cashDiffers.replace('{amount}', formatAmount(cash - all));
  }

  function collect() {
    var lines = {};
    var data = new FormData(form);
    data.forEach(function (value, name) {
      var match = /^lines\.(\d+)\.(\w+)$/.exec(name);
      if (match) (lines[match[1]] = lines[match[1]] || {})[match[2]] = value;
    });
    var indexes = Object.keys(lines).map(Number).sort(function (a, b) { return a - b; });
    return { date: data.get('date'), cashTotal: data.get('cashTotal'), lines: indexes.map(function (index) { return lines[index]; }) };
  }

  function load() {
    try { return JSON.parse(localStorage.getItem(storageKey)); } catch (error) { return null; }
  }
  function save(pending) {
    try { localStorage.setItem(storageKey, JSON.stringify(pending)); } catch (error) { /* storage full or off: the form still posts */ }
  }
  function clear() {
    try { localStorage.removeItem(storageKey); } catch (error) { /* nothing to clear */ }
  }
  function newKey() {
    if (window.crypto && typeof window.crypto.randomUUID === 'function') return window.crypto.randomUUID();
    // crypto.randomUUID needs a secure context; on plain http the key the server put in the form serves.
    return form.getAttribute('data-key');
  }

  function show(text) {
    status.hidden = !text;
    status.textContent = text || '';
  }

  // A refused sheet of another date: its reasons belong on its own page, which the link opens with it restored.
  function showRefusedElsewhere(pending) {
    var date = String(pending.payload.date);
    status.hidden = false;
    status.textContent = texts.pendingRefused.replace('{date}', date.split('-').reverse().join('/')) + ' ';
    var link = document.createElement('a');
    link.href = window.location.pathname + '?date=' + encodeURIComponent(date);
    link.textContent = texts.pendingRefusedLink;
    status.appendChild(link);
  }

  function showErrors(error) {
    form.querySelectorAll('[data-js-error]').forEach(function (node) { node.remove(); });
    form.querySelectorAll('[aria-invalid]').forEach(function (node) { node.removeAttribute('aria-invalid'); });
    var old = document.getElementById('error-summary');
    if (old) old.remove();
    var box = document.createElement('div');
    box.className = 'error-summary';
    box.id = 'error-summary';
    box.setAttribute('role', 'alert');
    box.tabIndex = -1;
    var lead = document.createElement('p');
    lead.textContent = (error && error.summary) || '';
    box.appendChild(lead);
    var fields = (error && error.fields) || {};
    Object.keys(fields).forEach(function (path) {
      var input = form.elements[path];
      var message = document.createElement('span');
      message.className = 'field-error';
      message.setAttribute('data-js-error', '');
      message.id = 'js-error-' + path.replace(/[^A-Za-z0-9_-]/g, '-');
      message.textContent = fields[path];
      if (input && input.insertAdjacentElement) {
        input.setAttribute('aria-invalid', 'true');
        input.setAttribute('aria-describedby', message.id);
        input.insertAdjacentElement('afterend', message);
      } else {
        var item = document.createElement('p');
        item.textContent = fields[path];
        box.appendChild(item);
      }
    });
    form.parentNode.insertBefore(box, form);
    box.focus();
  }

  var retryDelay = 2000;
  var timer = null;
  var inFlight = false;

  function retryLater() {
    show(texts.pendingSaved);
    button.disabled = false;
    clearTimeout(timer);
    timer = setTimeout(function () {
      var pending = load();
      if (pending && !pending.refused) send(pending);
    }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 60000);
  }

  function send(pending) {
    if (inFlight) return;
    inFlight = true;
    button.disabled = true;
    show(texts.sending);
    fetch(form.getAttribute('action'), {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'idempotency-key': pending.key, 'x-csrf-token': csrf },
      body: JSON.stringify(pending.payload),
    })
      .then(function (response) {
        return response
          .json()
          .catch(function () { return {}; })
          .then(function (body) { return { status: response.status, ok: response.ok, body: body }; });
      })
      .then(function (answer) {
        inFlight = false;
        if (answer.ok && answer.body.receiptUrl) {
          clear();
          show(texts.sent);
          window.location.assign(answer.body.receiptUrl);
          return;
        }
        if (answer.status >= 500 || !answer.status) return retryLater();
        button.disabled = false;
        // The service refused the sheet, and a refused sheet posts nothing: the reasons go beside the fields and the
        // sheet stays as typed. A key already spent on another sheet (409) is dropped; signed out (401) keeps it, to be
        // sent again once signed in; any other refusal keeps it marked, to be corrected rather than sent again as it is.
        if (answer.status === 409) clear();
        else if (answer.status !== 401) save({ key: pending.key, payload: pending.payload, savedAt: pending.savedAt, refused: true, error: answer.body.error || null });
        if (answer.status === 401) show(answer.body.error ? answer.body.error.summary : '');
        else if (pending.payload.date !== formDate) return showRefusedElsewhere(pending);
        else show('');
        showErrors(answer.body.error);
      })
      .catch(function () {
        inFlight = false;
        retryLater();
      });
  }

  function restore(payload) {
    form.elements.cashTotal.value = payload.cashTotal || '';
    (payload.lines || []).forEach(function (line, index) {
      ['repayment', 'compulsorySavings', 'voluntarySavings'].forEach(function (field) {
        var input = form.elements['lines.' + index + '.' + field];
        if (input && line[field] !== undefined) input.value = line[field];
      });
    });
  }

  form.addEventListener('input', updateTotals);
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var payload = collect();
    var pending = load();
    // One key per sheet until the service accepts it: a retry, or a resend after a correction, can never post twice.
    var key = pending && pending.payload && pending.payload.date === payload.date ? pending.key : newKey();
    pending = { key: key, payload: payload, savedAt: new Date().toISOString() };
    save(pending);
    retryDelay = 2000;
    send(pending);
  });
  window.addEventListener('online', function () {
    var pending = load();
    if (pending && !pending.refused && !inFlight) {
      retryDelay = 2000;
      send(pending);
    }
  });

  var waiting = load();
  if (waiting && waiting.payload) {
    var here = waiting.payload.date === formDate;
    if (here) restore(waiting.payload);
    updateTotals();
    if (!waiting.refused) {
      show(texts.pendingFound.replace('{date}', String(waiting.payload.date).split('-').reverse().join('/')));
      send(waiting);
    } else if (here) showErrors(waiting.error);
    else showRefusedElsewhere(waiting);
  } else {
    updateTotals();
  }
})();
