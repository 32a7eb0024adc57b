// The API explorer: GraphiQL (vendored, /static/vendor/) against /graphql/ over HTTP and, for
// subscriptions, WebSocket (graphql-transport-ws). The token is a pasted one (kept in this tab's
// sessionStorage, never in an address) or the one the server issued for a signed-in member.
"use strict";

(function () {
  const config = JSON.parse(document.getElementById("graphiql-config").textContent);
  const STORAGE_KEY = "liaison.explorer.token";
  const mount = document.getElementById("graphiql");
  if (!window.GraphiQL || !window.React || !window.ReactDOM || !window.graphqlWs) {
    return; // the page already says the assets are missing
  }
  const httpUrl = new URL("/graphql/", window.location.href).toString();
  const wsUrl = httpUrl.replace(/^http/, "ws");
  const status = document.getElementById("auth-status");
  const input = document.getElementById("token");
  const form = document.getElementById("token-form");
  const forget = document.getElementById("forget-token");

  function currentToken() {
    return config.sessionToken || window.sessionStorage.getItem(STORAGE_KEY) || "";
  }

  // Queries and mutations over HTTP (GraphiQL's own fetcher); subscriptions over WebSocket
  // (graphql-transport-ws, graphql-ws), chosen from the document itself: GraphiQL 3 decides
  // from its editor state, which can still be the previous tab's right after a switch.
  function makeFetcher(token) {
    const headers = token ? { Authorization: "Bearer " + token } : {};
    const http = window.GraphiQL.createFetcher({ url: httpUrl, headers: headers });
    let socket = null;
    function ws() {
      if (socket === null) {
        socket = window.graphqlWs.createClient({
          url: wsUrl,
          lazy: true,
          connectionParams: token ? { authorization: "Bearer " + token } : {},
        });
      }
      return socket;
    }
    return function (params, fetcherOptions) {
      const operations = operationsOf(params.query || "");
      let chosen = operations.find(function (op) {
        return op.name && op.name === params.operationName;
      });
      if (!chosen && operations.length === 1) {
        chosen = operations[0];
      }
      if (chosen && params.operationName !== chosen.name) {
        params = Object.assign({}, params, { operationName: chosen.name || undefined });
      }
      if (chosen && chosen.type === "subscription") {
        return ws().iterate({
          query: params.query,
          operationName: params.operationName,
          variables: params.variables,
        });
      }
      return http(params, fetcherOptions);
    };
  }

  // The operations a document defines: [{type, name}] (comments and strings aside, enough to
  // tell a subscription from the rest; the server parses it for real).
  function operationsOf(query) {
    const text = query.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/#[^\n]*/g, "");
    const operations = [];
    const pattern = /(?:^|[}\s])(query|mutation|subscription)\b\s*([_A-Za-z][_0-9A-Za-z]*)?/g;
    let match;
    while ((match = pattern.exec(text)) !== null) {
      operations.push({ type: match[1], name: match[2] || "" });
    }
    if (!operations.length && /^\s*\{/.test(text)) {
      operations.push({ type: "query", name: "" });
    }
    return operations;
  }

  const tabs = config.examples.map(function (example) {
    return { query: example.query, variables: example.variables || "" };
  });
  const root = window.ReactDOM.createRoot(mount);

  function render() {
    const token = currentToken();
    root.render(
      window.React.createElement(window.GraphiQL, {
        // A new fetcher (and WebSocket client) whenever the token changes.
        key: token ? "token:" + token.slice(0, 12) : "anonymous",
        fetcher: makeFetcher(token),
        defaultTabs: tabs,
        defaultEditorToolsVisibility: true,
        isHeadersEditorEnabled: false,
        shouldPersistHeaders: false,
        inputValueDeprecation: true,
        forcedTheme: "light",
      })
    );
  }

  if (form && input) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      const value = input.value.trim();
      if (value) {
        window.sessionStorage.setItem(STORAGE_KEY, value);
        input.value = "";
        status.textContent = config.texts.tokenSet;
      }
      render();
    });
  }
  if (forget) {
    forget.addEventListener("click", function () {
      window.sessionStorage.removeItem(STORAGE_KEY);
      status.textContent = config.texts.tokenForgotten;
      render();
    });
  }
  if (!config.sessionToken && window.sessionStorage.getItem(STORAGE_KEY) && status) {
    status.textContent = config.texts.tokenSet;
  }
  render();

  // GraphiQL 3's markup fails WCAG checks we hold every page to; repaired after each render:
  // - its tab strip is a tablist whose tabs hold two buttons (nested interactive controls)
  //   and a "new tab" button: made a toolbar of plain buttons, the open tab aria-current;
  // - CodeMirror's hidden textareas have no label; its scroll areas no keyboard access.
  const EDITOR_LABELS = [
    [".graphiql-query-editor", texts("operationEditor")],
    [".graphiql-editor-tool", texts("variablesEditor")],
    [".result-window, .graphiql-response", texts("response")],
  ];
  function texts(key) {
    return (config.texts && config.texts[key]) || key;
  }
  function repair() {
    mount.querySelectorAll('[role="tablist"]').forEach(function (list) {
      list.setAttribute("role", "toolbar");
      list.setAttribute("aria-label", texts("tabs"));
    });
    mount.querySelectorAll('.graphiql-tab[role="tab"], .graphiql-tab[aria-selected]').forEach(
      function (tab) {
        tab.setAttribute("role", "none");
        tab.removeAttribute("aria-selected");
        tab.removeAttribute("aria-controls");
      }
    );
    mount.querySelectorAll(".graphiql-tab-button").forEach(function (button) {
      const active = button.closest(".graphiql-tab-active") !== null;
      if (active) {
        button.setAttribute("aria-current", "true");
      } else {
        button.removeAttribute("aria-current");
      }
    });
    EDITOR_LABELS.forEach(function (entry) {
      mount.querySelectorAll(entry[0]).forEach(function (editor) {
        editor.querySelectorAll("textarea:not([aria-label])").forEach(function (area) {
          area.setAttribute("aria-label", entry[1]);
        });
        editor.querySelectorAll('.CodeMirror-scroll:not([tabindex="0"])').forEach(function (area) {
          area.setAttribute("tabindex", "0");
          area.setAttribute("role", "region");
          area.setAttribute("aria-label", entry[1]);
        });
      });
    });
  }
  let scheduled = false;
  new MutationObserver(function () {
    if (!scheduled) {
      scheduled = true;
      window.requestAnimationFrame(function () {
        scheduled = false;
        repair();
      });
    }
  }).observe(mount, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ["role", "aria-selected", "class"],
  });
})();
