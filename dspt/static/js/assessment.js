// Save each answer as it changes, so nothing is lost if the page is closed.
// Progressive enhancement only: without JavaScript the form's Save buttons do the same work.
const form = document.querySelector("form[data-autosave]");

if (form) {
  const base = form.dataset.autosave;
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const version = form.querySelector("[data-version]");
  const timers = new Map();
  // One save at a time: each carries the version the previous one returned.
  let queue = Promise.resolve();

  const readValue = (section, itemId) => {
    const name = `value-${itemId}`;
    const day = form.elements[`${name}[day]`];
    if (day) {
      const month = form.elements[`${name}[month]`].value.trim();
      const year = form.elements[`${name}[year]`].value.trim();
      const d = day.value.trim();
      if (!d && !month && !year) return "";
      if (!d || !month || year.length !== 4) return null; // still typing
      return `${year}-${month.padStart(2, "0")}-${d.padStart(2, "0")}`;
    }
    const checked = section.querySelector(`input[name="${CSS.escape(name)}"]:checked`);
    if (checked) return checked.value;
    const field = form.elements[name];
    return field && field.type !== "radio" && field.value !== undefined ? field.value : "";
  };

  const show = (itemId, text) => {
    const status = form.querySelector(`[data-status-for="${CSS.escape(itemId)}"]`);
    if (status) status.textContent = text;
  };

  const save = async (section) => {
    const itemId = section.dataset.item;
    const value = readValue(section, itemId);
    if (value === null) return;
    const na = form.elements[`na-${itemId}`];
    const comment = form.elements[`comment-${itemId}`];
    show(itemId, "Saving…");
    try {
      const response = await fetch(base + encodeURIComponent(itemId), {
        method: "PUT",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({
          value,
          not_applicable: Boolean(na && na.checked),
          comment: comment ? comment.value : "",
          expected_version: Number(version.value),
        }),
      });
      const body = await response.json().catch(() => ({}));
      if (response.ok) {
        version.value = body.version;
        show(itemId, body.changed ? "Saved" : "");
      } else {
        show(itemId, `Not saved: ${body.detail || "try the Save button"}`);
      }
    } catch {
      show(itemId, "Not saved: check your connection, then use the Save button");
    }
  };

  // A Save clicked while answers are still being saved in the background must carry the version
  // those saves return, or the server would (rightly) refuse it as a concurrent edit.
  let flushed = false;
  form.addEventListener("submit", (event) => {
    if (flushed) return;
    event.preventDefault();
    for (const [section, timer] of timers) {
      clearTimeout(timer);
      queue = queue.then(() => save(section));
    }
    timers.clear();
    const submitter = event.submitter;
    // Submit again in a later task, never from a microtask: when nothing is left to save, the
    // queue has already settled and its callback would run while the browser is still firing
    // this submit event, and a form ignores a submission asked for during its own submit event.
    queue.finally(() =>
      setTimeout(() => {
        flushed = true;
        form.requestSubmit(submitter);
      }),
    );
  });

  form.addEventListener("change", (event) => {
    const section = event.target.closest("[data-item]");
    if (!section || event.target.type === "file") return;
    clearTimeout(timers.get(section));
    timers.set(
      section,
      setTimeout(() => {
        timers.delete(section);
        queue = queue.then(() => save(section));
      }, 300),
    );
  });
}
