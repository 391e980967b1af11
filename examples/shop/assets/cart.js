/* Northwind Goods cart: kept in localStorage so it survives page loads (no server). */
(function () {
  "use strict";

  var KEY = "northwind-cart";

  function load() {
    try {
      var items = JSON.parse(window.localStorage.getItem(KEY) || "[]");
      return Array.isArray(items) ? items : [];
    } catch (err) {
      return []; // a corrupt entry should not break the whole site
    }
  }

  function save(items) {
    window.localStorage.setItem(KEY, JSON.stringify(items));
  }

  function count(items) {
    return items.reduce(function (sum, item) { return sum + item.qty; }, 0);
  }

  function renderCount() {
    var n = String(count(load()));
    document.querySelectorAll(".cart-count").forEach(function (el) { el.textContent = n; });
  }

  function add(id, name, price) {
    var items = load();
    var existing = items.filter(function (item) { return item.id === id; })[0];
    if (existing) {
      existing.qty += 1;
    } else {
      items.push({ id: id, name: name, price: price, qty: 1 });
    }
    save(items);
    renderCount();
  }

  function remove(id) {
    save(load().filter(function (item) { return item.id !== id; }));
    renderCount();
    renderCart();
  }

  function renderCart() {
    var list = document.querySelector(".cart-items");
    if (!list) return;
    var items = load();
    list.textContent = "";
    var total = 0;
    items.forEach(function (item) {
      total += Number(item.price) * item.qty;
      var li = document.createElement("li");
      li.className = "cart-item";
      li.setAttribute("data-id", item.id);
      var link = document.createElement("a");
      link.href = "products/" + encodeURIComponent(item.id) + ".html";
      link.textContent = item.name;
      var qty = document.createElement("span");
      qty.className = "cart-qty";
      qty.textContent = " × " + item.qty + " ";
      var price = document.createElement("span");
      price.className = "price";
      price.textContent = "$" + (Number(item.price) * item.qty).toFixed(2);
      var button = document.createElement("button");
      button.type = "button";
      button.className = "remove-item";
      button.setAttribute("data-id", item.id);
      button.textContent = "Remove";
      li.append(link, qty, price, " ", button);
      list.appendChild(li);
    });
    var empty = document.querySelector(".cart-empty");
    if (empty) empty.hidden = items.length > 0;
    var totalEl = document.querySelector(".cart-total");
    if (totalEl) totalEl.textContent = "$" + total.toFixed(2);
  }

  document.addEventListener("click", function (event) {
    var addButton = event.target.closest(".add-to-cart");
    if (addButton) {
      add(addButton.dataset.id, addButton.dataset.name, addButton.dataset.price);
      var status = document.querySelector(".cart-status");
      if (status) status.textContent = "Added " + addButton.dataset.name + " to your cart.";
      return;
    }
    var removeButton = event.target.closest(".remove-item");
    if (removeButton) {
      remove(removeButton.dataset.id);
      return;
    }
    if (event.target.closest(".clear-cart")) {
      save([]);
      renderCount();
      renderCart();
    }
  });

  // Another tab may change the cart; keep this one's count honest.
  window.addEventListener("storage", function (event) {
    if (event.key === KEY) { renderCount(); renderCart(); }
  });

  renderCount();
  renderCart();

  window.NorthwindCart = { load: load, add: add, remove: remove, count: function () { return count(load()); } };
})();
