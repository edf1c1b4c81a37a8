// The deployment page follows its deployment live: log lines and status changes from the event stream, and a reload
// once the deployment has moved on from the state the page was rendered in (to show the plan and the forms).
const page = document.querySelector('main[data-deployment]');
if (page) {
  const log = document.getElementById('log');
  const status = document.getElementById('status');
  const rendered = page.dataset.status;
  let seen = Number(page.dataset.seen);
  const events = new EventSource('/ui/deployments/' + page.dataset.deployment + '/events');
  events.addEventListener('log', e => {
    if (Number(e.lastEventId) <= seen) return;
    seen = Number(e.lastEventId);
    log.textContent += e.data + '\n';
    log.scrollTop = log.scrollHeight;
  });
  events.addEventListener('status', e => { status.textContent = e.data; status.className = 'status ' + e.data; });
  events.addEventListener('end', e => { events.close(); if (e.data !== rendered) setTimeout(() => location.reload(), 300); });
}

// The migration page follows its migration live: log lines, the copy's progress each second, status changes, and a
// reload once it rests in another state than the page was rendered in (to show the plan and the forms).
const migration = document.querySelector('main[data-migration]');
if (migration) {
  const log = document.getElementById('log');
  const status = document.getElementById('status');
  const progress = document.getElementById('progress');
  const bar = document.getElementById('progress-bar');
  const rendered = migration.dataset.status;
  let seen = Number(migration.dataset.seen);
  const events = new EventSource('/ui/migrations/' + migration.dataset.migration + '/events');
  events.addEventListener('log', e => {
    if (Number(e.lastEventId) <= seen) return;
    seen = Number(e.lastEventId);
    log.textContent += e.data + '\n';
    log.scrollTop = log.scrollHeight;
  });
  events.addEventListener('progress', e => {
    const p = JSON.parse(e.data);
    bar.max = Math.max(1, p.bytes);
    bar.value = p.copiedBytes;
    progress.textContent = p.copiedObjects + ' of ' + p.objects + ' objects copied' + (p.failedObjects > 0 ? ', ' + p.failedObjects + ' failed' : '');
  });
  events.addEventListener('status', e => { status.textContent = e.data; status.className = 'status ' + e.data; });
  events.addEventListener('end', e => { events.close(); if (e.data !== rendered) setTimeout(() => location.reload(), 300); });
}
