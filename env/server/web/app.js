// The review page: one WebSocket to /ws per browser tab, so every tab is its own episode.
// The server answers messages in order, so requests wait in a FIFO for their reply.
// Server text is only ever written with textContent, never parsed as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
let socket = null;
const waiting = [];
let pending = [];
let categories = [];

function showError(message) {
  const box = $("error");
  box.textContent = message;
  box.hidden = !message;
}

function connect() {
  if (socket && socket.readyState === WebSocket.OPEN) return Promise.resolve();
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  socket = new WebSocket(`${scheme}://${location.host}/ws`);
  socket.onmessage = (event) => {
    const next = waiting.shift();
    if (next) next(JSON.parse(event.data));
  };
  socket.onclose = () => {
    $("connection").textContent = "disconnected";
    while (waiting.length) waiting.shift()({ type: "error", data: { message: "connection closed" } });
  };
  return new Promise((resolve, reject) => {
    socket.onopen = () => { $("connection").textContent = "connected"; resolve(); };
    socket.onerror = () => reject(new Error("cannot open the WebSocket /ws"));
  });
}

async function send(message) {
  await connect();
  const reply = new Promise((resolve) => waiting.push(resolve));
  socket.send(JSON.stringify(message));
  const answer = await reply;
  if (answer.type === "error") {
    const data = answer.data || {};
    const details = (data.errors || []).map((e) => `${(e.loc || []).join(".")}: ${e.msg}`);
    throw new Error([`${data.code || "ERROR"}: ${data.message || ""}`, ...details].join("\n"));
  }
  return answer.data;
}

function fillSelect(select, values, label) {
  select.replaceChildren(...values.map((v) => {
    const option = document.createElement("option");
    option.value = typeof v === "string" ? v : v.id;
    option.textContent = label ? label(v) : option.value;
    return option;
  }));
}

async function loadTasks() {
  const response = await fetch("/tasks");
  const body = await response.json();
  categories = body.categories;
  fillSelect($("task-select"), body.tasks, (t) => `${t.id} (${t.difficulty}, ${t.split})`);
  fillSelect($("f-category"), categories);
}

function render(result) {
  const obs = result.observation;
  $("episode").hidden = false;
  $("task-id").textContent = obs.task_id;
  $("difficulty").textContent = obs.difficulty;
  $("description").textContent = obs.description;
  $("snippet").textContent = obs.snippet;
  $("score").textContent = obs.score.toFixed(4);
  $("found").textContent = `${obs.issues_found} / ${obs.issues_total}`;
  $("open").textContent = Object.entries(obs.open_severities)
    .filter(([, n]) => n > 0).map(([s, n]) => `${s}: ${n}`).join(", ") || "none";
  $("remaining").textContent = `${obs.remaining_steps} of ${obs.step_budget}`;
  $("matched").textContent = obs.matched_categories.join(", ") || "none";
  $("feedback").textContent = obs.feedback;
  $("hints").replaceChildren(...obs.hints.map((h) => {
    const li = document.createElement("li");
    li.textContent = h;
    return li;
  }));
  $("history").tBodies[0].replaceChildren(...obs.history.map((h) => {
    const row = document.createElement("tr");
    const reward = h.reward === null ? "no verdict" : h.reward.toFixed(4);  // not scored
    for (const [value, cls] of [[h.step], [h.kind], [reward], [h.score.toFixed(4)],
                                [h.verdict, "verdict"]]) {
      const cell = document.createElement("td");
      cell.textContent = String(value);
      if (cls) cell.className = cls;
      row.append(cell);
    }
    return row;
  }));
  const over = Boolean(result.done);
  for (const id of ["report", "hint", "submit-patch", "finalize", "add-finding"]) {
    $(id).disabled = over || (id === "report" && pending.length === 0);
  }
  $("final").hidden = !over;
  if (over && obs.report) {
    $("final-score").textContent = `final score ${obs.report.score}`;
    $("final-report").textContent = JSON.stringify(obs.report, null, 2);
  }
}

function renderPending() {
  $("pending").replaceChildren(...pending.map((f) => {
    const li = document.createElement("li");
    li.textContent = `line ${f.line}${f.end_line ? "-" + f.end_line : ""} ${f.category}` +
      `${f.severity ? " [" + f.severity + "]" : ""}: ${f.message}`;
    return li;
  }));
  $("report").disabled = pending.length === 0;
}

async function act(message) {
  showError("");
  try {
    render(await send(message));
    return true;
  } catch (error) {
    showError(error.message);
    return false;
  }
}

$("start").addEventListener("click", async () => {
  pending = [];
  renderPending();
  await act({ type: "reset", data: { task_id: $("task-select").value } });
});

$("add-finding").addEventListener("click", () => {
  const finding = {
    line: Number($("f-line").value),
    category: $("f-category").value,
    message: $("f-message").value,
  };
  if ($("f-end").value) finding.end_line = Number($("f-end").value);
  if ($("f-severity").value) finding.severity = $("f-severity").value;
  pending.push(finding);
  renderPending();
});

$("report").addEventListener("click", async () => {
  if (await act({ type: "step", data: { kind: "report", findings: pending } })) {
    pending = [];
    renderPending();
  }
});

$("hint").addEventListener("click", () => act({ type: "step", data: { kind: "hint" } }));
$("submit-patch").addEventListener("click", () =>
  act({ type: "step", data: { kind: "patch", patch: $("patch").value } }));
$("finalize").addEventListener("click", () => act({ type: "step", data: { kind: "finalize" } }));

loadTasks().catch((error) => showError(`cannot load the task list: ${error.message}`));
