// The lesson grid: arrow keys and Enter move between the grid's fields the way a teacher
// expects (Tab still works everywhere). No inline script: the CSP allows the portal's own
// files only.
document.addEventListener("keydown", function (event) {
  var cell = event.target;
  if (!cell || !cell.dataset || cell.dataset.row === undefined) return;
  if (event.key === "Enter") event.preventDefault(); // never submits half-way through
  var row = Number(cell.dataset.row), col = Number(cell.dataset.col);
  var moves = { Enter: [1, 0] };
  if (cell.tagName === "INPUT") {
    // A drop-down keeps its own arrows (to choose the attendance mark).
    moves.ArrowUp = [-1, 0];
    moves.ArrowDown = [1, 0];
    if (cell.selectionStart === cell.value.length) moves.ArrowRight = [0, 1];
    if (cell.selectionStart === 0) moves.ArrowLeft = [0, -1];
  }
  var move = moves[event.key];
  if (!move) return;
  var next = document.querySelector('[data-row="' + (row + move[0]) + '"][data-col="' + (col + move[1]) + '"]');
  if (next) {
    event.preventDefault();
    next.focus();
    if (next.select) next.select();
  }
});
