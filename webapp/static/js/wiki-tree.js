// Sidebar tree: drag a page onto another to move it (with its sub-pages) under that page.
import { postJSON } from "./http.js";

const tree = document.querySelector(".wiki-tree");

if (tree && tree.querySelector('[draggable="true"]')) {
  let dragged = null;
  tree.addEventListener("dragstart", (e) => {
    dragged = e.target.closest("li[data-page-id]");
    if (dragged) { e.dataTransfer.effectAllowed = "move"; e.dataTransfer.setData("text/plain", dragged.dataset.pageId); }
  });
  tree.addEventListener("dragover", (e) => {
    const target = e.target.closest("li[data-page-id]");
    if (dragged && target && !dragged.contains(target)) { e.preventDefault(); target.classList.add("drop-target"); }
  });
  tree.addEventListener("dragleave", (e) => e.target.closest("li[data-page-id]")?.classList.remove("drop-target"));
  tree.addEventListener("drop", async (e) => {
    const target = e.target.closest("li[data-page-id]");
    target?.classList.remove("drop-target");
    if (!dragged || !target || dragged.contains(target)) return;
    e.preventDefault();
    const url = tree.dataset.moveUrl.replace("/0/move", `/${dragged.dataset.pageId}/move`);
    const r = await postJSON(url, { parent_id: Number(target.dataset.pageId) });
    const data = await r.json().catch(() => ({}));
    if (r.ok) window.location.reload();
    else {
      const note = document.createElement("p");
      note.className = "flash flash-error";
      note.setAttribute("role", "alert");
      note.textContent = data.error || "The page could not be moved.";
      tree.before(note);
    }
  });
}
