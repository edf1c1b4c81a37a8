// A deployment's or a migration's page follows it live: log lines and status changes from its event stream, and a
// reload once it has moved on from the state the page was rendered in (to show the plan and the forms). A
// migration's page also shows the copy's progress each second.
function follow(main, events, onEvent) {
  const log = document.getElementById('log');
  const status = document.getElementById('status');
  const rendered = main.dataset.status;
  let seen = Number(main.dataset.seen);
  const source = new EventSource(events);
  source.addEventListener('log', e => {
    if (Number(e.lastEventId) <= seen) return;
    seen = Number(e.lastEventId);
    log.textContent += e.data + '\n';
    log.scrollTop = log.scrollHeight;
  });
  source.addEventListener('status', e => { status.textContent = e.data; status.className = 'status ' + e.data; });
  source.addEventListener('end', e => { source.close(); if (e.data !== rendered) setTimeout(() => location.reload(), 300); });
  for (const [name, handler] of Object.entries(onEvent)) source.addEventListener(name, handler);
}

const deployment = document.querySelector('main[data-deployment]');
if (deployment) {
  follow(deployment, '/ui/deployments/' + deployment.dataset.deployment + '/events', {});
}

const migration = document.querySelector('main[data-migration]');
if (migration) {
  const progress = document.getElementById('progress');
  const bar = document.getElementById('progress-bar');
  follow(migration, '/ui/migrations/' + migration.dataset.migration + '/events', {
    progress: e => {
      const p = JSON.parse(e.data);
      bar.max = Math.max(1, p.bytes);
      bar.value = p.copiedBytes;
      progress.textContent = p.copiedObjects + ' of ' + p.objects + ' objects copied' + (p.failedObjects > 0 ? ', ' + p.failedObjects + ' failed' : '');
    },
  });
}
