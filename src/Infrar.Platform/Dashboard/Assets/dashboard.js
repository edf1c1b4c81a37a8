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
