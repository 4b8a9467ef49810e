// Client-level data: follow a submission being checked or processed. Polls the progress
// endpoint, moves the bar and its text ("Checked 40%"), and reloads the page when the work ends
// so the report appears. Without JavaScript the page refreshes itself (<noscript> meta refresh).
const box = document.querySelector("[data-cld-progress]");

if (box) {
  const bar = box.querySelector("progress");
  const text = box.querySelector("[data-cld-progress-text]");
  const every = 1500;

  const tick = async () => {
    try {
      const response = await fetch(box.dataset.cldProgress, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        cache: "no-store",
      });
      if (response.ok) {
        const data = await response.json();
        if (!data.in_progress) {
          window.location.reload();
          return;
        }
        bar.value = data.progress;
        bar.textContent = `${data.progress}%`;
        if (text.textContent !== data.label) text.textContent = data.label;
      }
    } catch {
      // A dropped request: try again on the next tick.
    }
    window.setTimeout(tick, every);
  };

  window.setTimeout(tick, every);
}
