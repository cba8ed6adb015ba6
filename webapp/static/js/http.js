// The one place the front end talks to Parley's own endpoints: the CSRF token and JSON/form POSTs with it.

export function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]')?.content || "";
}

// POST `data` as JSON (same-origin cookies, CSRF header); resolves to the fetch Response.
export function postJSON(url, data) {
  return fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), Accept: "application/json" },
    body: JSON.stringify(data),
  });
}

// POST a FormData (files), letting the browser set the multipart boundary.
export function postForm(url, formData) {
  return fetch(url, {
    method: "POST", body: formData, credentials: "same-origin",
    headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
  });
}
