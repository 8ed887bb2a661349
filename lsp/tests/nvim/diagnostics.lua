-- Neovim's built-in LSP client against `kiln lsp`, headless: open $KILN_FILE, wait for the
-- server's diagnostics and write them as JSON to $KILN_OUT, then quit. Written for the
-- oldest client we test (Neovim 0.7, Debian bookworm): vim.lsp.start_client and
-- vim.diagnostic.get exist there (vim.lsp.start came in 0.8).
local kiln = os.getenv("KILN")
local file = os.getenv("KILN_FILE")
local out = os.getenv("KILN_OUT")

local function finish(result)
  local handle = assert(io.open(out, "w"))
  handle:write(vim.fn.json_encode(result))
  handle:close()
  vim.cmd("qall!")
end

vim.cmd("edit " .. vim.fn.fnameescape(file))
local buffer = vim.api.nvim_get_current_buf()
local client = vim.lsp.start_client({
  name = "kiln",
  cmd = { kiln, "lsp" },
  root_dir = vim.fn.fnamemodify(file, ":p:h"),
})
if not client then
  finish({ error = "the client did not start" })
  return
end
vim.lsp.buf_attach_client(buffer, client)

local arrived = vim.wait(20000, function()
  return #vim.diagnostic.get(buffer) > 0
end, 50)

local diagnostics = {}
for _, d in ipairs(vim.diagnostic.get(buffer)) do
  local lsp = (d.user_data or {}).lsp or {}
  table.insert(diagnostics, {
    line = d.lnum,
    col = d.col,
    end_line = d.end_lnum,
    end_col = d.end_col,
    severity = d.severity,
    code = d.code or lsp.code,
    source = d.source or lsp.source,
    message = d.message,
  })
end
table.sort(diagnostics, function(a, b)
  return a.line < b.line or (a.line == b.line and a.col < b.col)
end)
finish({ arrived = arrived, diagnostics = diagnostics })
