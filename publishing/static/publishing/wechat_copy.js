/* Copy the WeChat article as rich text (text/html), or select it when the browser refuses. */
(function () {
  var button = document.getElementById("wechat-copy");
  var article = document.getElementById("wechat-article");
  var status = document.getElementById("wechat-copy-status");
  if (!button || !article) return;

  function selectArticle() {
    var range = document.createRange();
    range.selectNodeContents(article);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    return selection;
  }

  button.addEventListener("click", function () {
    var html = article.innerHTML;
    if (navigator.clipboard && window.ClipboardItem) {
      var item = new ClipboardItem({
        "text/html": new Blob([html], { type: "text/html" }),
        "text/plain": new Blob([article.innerText], { type: "text/plain" })
      });
      navigator.clipboard.write([item]).then(function () {
        status.textContent = button.dataset.copied;
      }, fallback);
    } else {
      fallback();
    }
  });

  function fallback() {
    selectArticle();
    var copied = false;
    try { copied = document.execCommand("copy"); } catch (error) { copied = false; }
    status.textContent = copied ? button.dataset.copied : button.dataset.select;
  }
})();
