/**
 * HQ's dispatch form: a "tick every chief of this township" button per township. The form works
 * without it (each checkbox is there to tick by hand), so the buttons stay hidden until this runs.
 */
export function enhanceChiefButtons(root: ParentNode = document): void {
  for (const button of root.querySelectorAll<HTMLButtonElement>('button[data-select-chiefs]')) {
    const township = button.dataset.selectChiefs ?? '';
    const form = button.form;
    if (!form) continue;
    button.hidden = false;
    button.addEventListener('click', () => {
      const boxes = [...form.querySelectorAll<HTMLInputElement>('input[type="checkbox"][data-chief]')].filter(
        (box) => box.dataset.township === township,
      );
      for (const box of boxes) box.checked = true;
      // Inline validation listens for changes: the "choose at least one" message clears at once.
      boxes[0]?.dispatchEvent(new Event('change', { bubbles: true }));
    });
  }
}
