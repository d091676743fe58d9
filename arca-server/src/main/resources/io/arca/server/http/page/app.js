// The status page: reads /api/v1/status and /api/v1/runs and renders them. No framework, no build
// step, nothing from other origins (the server's Content-Security-Policy allows only itself).
// Every value is put in with textContent, never as HTML.
(function () {
  'use strict';

  var TOKEN_KEY = 'arca.token';
  var REFRESH_MILLIS = 30000;
  var timer = null;

  function NeedToken() {}

  function token() {
    return window.sessionStorage.getItem(TOKEN_KEY);
  }

  function api(path) {
    var headers = { 'Accept': 'application/json' };
    var t = token();
    if (t) {
      headers['Authorization'] = 'Bearer ' + t;
    }
    return fetch(path, { headers: headers, cache: 'no-store' }).then(function (res) {
      if (res.status === 401) {
        throw new NeedToken();
      }
      return res.json().then(function (body) {
        if (!res.ok) {
          var e = body && body.error ? body.error : { code: 'HTTP ' + res.status, message: res.statusText };
          throw new Error(e.message + (e.hint ? ' (' + e.hint + ')' : '') + ' [' + e.code + ']');
        }
        return body;
      });
    });
  }

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) {
      e.textContent = String(text);
    }
    if (cls) {
      e.className = cls;
    }
    return e;
  }

  function cell(row, field, cls) {
    var td = el('td', null, cls);
    td.setAttribute('data-field', field);
    row.appendChild(td);
    return td;
  }

  // A duration for people, like 'arca status' writes it: 45s, 12m 30s, 5h 2m, 30h, 3d 4h.
  function readable(seconds) {
    if (seconds === undefined || seconds === null) {
      return '';
    }
    var s = Math.max(0, Math.floor(seconds));
    if (s < 60) {
      return s + 's';
    }
    if (s < 3600) {
      return Math.floor(s / 60) + 'm' + (s % 60 ? ' ' + (s % 60) + 's' : '');
    }
    var values, units;
    if (s >= 2 * 86400) {
      values = [Math.floor(s / 86400), Math.floor(s % 86400 / 3600), Math.floor(s % 3600 / 60)];
      units = ['d', 'h', 'm'];
    } else {
      values = [Math.floor(s / 3600), Math.floor(s % 3600 / 60), s % 60];
      units = ['h', 'm', 's'];
    }
    var text = values[0] + units[0];
    if (values[1]) {
      text += ' ' + values[1] + units[1];
    }
    return text;
  }

  // Instants in UTC, to the minute: the same on every viewer's screen.
  function when(iso) {
    if (!iso) {
      return '';
    }
    return iso.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC');
  }

  function verdict(met) {
    if (met === true) {
      return 'ok';
    }
    if (met === false) {
      return 'bad';
    }
    return '';
  }

  function renderSubjects(status) {
    var body = document.querySelector('#subjects tbody');
    body.textContent = '';
    if (!status.subjects.length) {
      var empty = el('tr', null, 'empty');
      var td = el('td', 'no subjects: arca.yaml names none and the repositories hold no backup');
      td.colSpan = 8;
      empty.appendChild(td);
      body.appendChild(empty);
    }
    status.subjects.forEach(function (s) {
      var row = el('tr', null, s.ok ? 'healthy' : 'problem');
      row.setAttribute('data-subject', s.subject);
      cell(row, 'subject').appendChild(el('strong', s.subject));

      var newest = cell(row, 'newest', 'mono');
      if (s.backupId) {
        newest.appendChild(el('span', s.backupId));
        newest.appendChild(el('span', when(s.backupStartedAt) + ' · ' + s.repository, 'sub'));
      } else {
        newest.textContent = 'none';
        newest.className = 'bad';
      }

      var age = cell(row, 'age', verdict(s.rpoMet));
      age.textContent = (s.backupAgeSeconds !== undefined ? readable(s.backupAgeSeconds) : '–') + ' / '
          + (s.rpoSeconds !== undefined ? readable(s.rpoSeconds) : 'not set');

      var win = cell(row, 'window');
      if (s.recoverable) {
        win.textContent = when(s.recoverable.oldest) + ' → ' + when(s.recoverable.newest);
        if (s.recoverable.walIncluded) {
          win.appendChild(el('span', 'any point, with archived WAL', 'sub'));
        }
      } else {
        win.textContent = 'none';
      }

      var drill = cell(row, 'drill');
      if (s.lastDrillId) {
        var passed = s.lastDrillVerdict === 'pass';
        drill.appendChild(el('span', passed ? 'passed' : 'failed', 'badge ' + (passed ? 'ok' : 'bad')));
        drill.appendChild(el('span', when(s.lastDrillStartedAt), 'sub'));
      } else {
        drill.textContent = 'never';
      }

      var rto = cell(row, 'rto', verdict(s.rtoMet));
      rto.textContent = (s.measuredRtoMillis !== undefined ? readable(s.measuredRtoMillis / 1000) : '–') + ' / '
          + (s.rtoSeconds !== undefined ? readable(s.rtoSeconds) : 'not set');

      var runs = cell(row, 'runs');
      Object.keys(s.runs || {}).sort().forEach(function (job) {
        var last = s.runs[job].last;
        if (!last) {
          return;
        }
        var line = el('span', null, 'sub');
        line.appendChild(document.createTextNode(job + ': '));
        line.appendChild(el('span', last.outcome, 'badge ' + (last.outcome === 'succeeded' ? 'ok' : 'bad')));
        line.appendChild(document.createTextNode(' ' + when(last.finishedAt)));
        runs.appendChild(line);
      });

      var problems = cell(row, 'problems');
      if (s.problems.length) {
        var ul = el('ul', null, 'problems');
        s.problems.forEach(function (p) {
          ul.appendChild(el('li', p));
        });
        problems.appendChild(ul);
      } else {
        problems.appendChild(el('span', 'all objectives met', 'badge ok'));
      }
      body.appendChild(row);
    });
    var overall = document.getElementById('overall');
    overall.textContent = status.ok ? 'all objectives met' : 'objectives missed';
    overall.className = 'badge ' + (status.ok ? 'ok' : 'bad');
    var repositoryProblems = document.getElementById('repository-problems');
    repositoryProblems.textContent = '';
    (status.problems || []).forEach(function (p) {
      repositoryProblems.appendChild(el('li', p));
    });
    repositoryProblems.hidden = !(status.problems || []).length;
    document.getElementById('updated').textContent = 'as of ' + when(status.now);
  }

  function renderRuns(runs) {
    var body = document.querySelector('#runs tbody');
    body.textContent = '';
    if (!runs.length) {
      var empty = el('tr', null, 'empty');
      var td = el('td', 'no runs in the last 7 days');
      td.colSpan = 8;
      empty.appendChild(td);
      body.appendChild(empty);
    }
    runs.forEach(function (r) {
      var failed = r.state === 'failed' || r.state === 'partial';
      var row = el('tr', null, failed ? 'failed' : '');
      row.setAttribute('data-run', r.runId);
      row.setAttribute('data-state', r.state);
      cell(row, 'started').textContent = when(r.startedAt || r.queuedAt);
      cell(row, 'subject').textContent = r.subject;
      cell(row, 'job').textContent = r.job;
      cell(row, 'trigger').textContent = r.trigger;
      var state = cell(row, 'state');
      state.appendChild(el('span', r.state, 'badge ' + (failed ? 'bad' : r.state === 'succeeded' ? 'ok' : 'warn')));
      cell(row, 'duration').textContent = r.durationMillis !== undefined ? readable(r.durationMillis / 1000) : '';
      cell(row, 'backup', 'mono').textContent = r.backupId || '';
      var error = cell(row, 'error', failed ? 'bad' : '');
      error.textContent = r.errorCode ? r.errorCode + ': ' + (r.message || '') : '';
      body.appendChild(row);
    });
  }

  function showError(message) {
    var e = document.getElementById('error');
    e.textContent = message;
    e.hidden = !message;
  }

  function askForToken(rejected) {
    var panel = document.getElementById('token-panel');
    var message = document.getElementById('token-message');
    if (rejected) {
      message.textContent = 'The token was not accepted: enter a read or operator token.';
      message.className = 'bad';
    }
    panel.hidden = false;
    document.getElementById('token').focus();
  }

  function load() {
    if (timer) {
      window.clearTimeout(timer);
      timer = null;
    }
    Promise.all([api('api/v1/status'), api('api/v1/runs?since=7d&limit=50')]).then(function (results) {
      document.getElementById('token-panel').hidden = true;
      showError('');
      renderSubjects(results[0]);
      renderRuns(results[1]);
      document.body.setAttribute('data-loaded', 'true');
      timer = window.setTimeout(load, REFRESH_MILLIS);
    }).catch(function (e) {
      if (e instanceof NeedToken) {
        var rejected = token() !== null;
        window.sessionStorage.removeItem(TOKEN_KEY);
        askForToken(rejected);
        return;
      }
      showError('cannot load the status: ' + e.message);
      timer = window.setTimeout(load, REFRESH_MILLIS);
    });
  }

  document.getElementById('token-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var value = document.getElementById('token').value.trim();
    if (!value) {
      return;
    }
    window.sessionStorage.setItem(TOKEN_KEY, value);
    document.getElementById('token').value = '';
    load();
  });

  load();
}());
