// The erasure receipt page (/{brand}/erasure-receipt/{token}): while a downstream system has not
// confirmed yet, fetch the page again every few seconds and swap in its confirmations section (an
// aria-live region, so the change is announced politely). Stops once every system has answered.
// Without script the page's "check again" link does the same.
const section = document.querySelector('section.downstream[data-updating]');
if (section) {
  const seconds = Number(section.dataset.updating) || 10;
  const tick = async () => {
    try {
      const response = await fetch(location.href, { headers: { accept: 'text/html' }, credentials: 'same-origin' });
      if (response.ok) {
        const next = new DOMParser().parseFromString(await response.text(), 'text/html').querySelector('section.downstream');
        if (next) {
          section.innerHTML = next.innerHTML;
          if (next.dataset.updating === undefined) {
            delete section.dataset.updating;
            return;
          }
        }
      }
    } catch {
      // Offline for a moment: try again at the next tick.
    }
    setTimeout(tick, seconds * 1000);
  };
  setTimeout(tick, seconds * 1000);
}
