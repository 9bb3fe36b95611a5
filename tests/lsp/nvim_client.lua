-- A real LSP client nobody here wrote: Neovim's built-in one (0.7 API: start_client and
-- buf_attach_client) opens the WordPress example with a mistake in it, and the test reads
-- what Neovim itself made of the server's answers: its diagnostics, a go-to-definition
-- location, and where vim.lsp.buf.definition() jumped. Run by nvim_test.sh.
local stackc = os.getenv("STACKC_BINARY")
local file = os.getenv("STACK_FILE")
local stdlib = os.getenv("STACKC_STDLIB")
local passed, failed = 0, 0

local function check(name, ok, detail)
  if ok then
    passed = passed + 1
    io.stdout:write("PASS " .. name .. "\n")
  else
    failed = failed + 1
    io.stdout:write("FAIL " .. name .. ": " .. vim.inspect(detail) .. "\n")
  end
end

-- The 0-based line and column of the first `needle` in a file.
local function locate(path, needle)
  local n = 0
  for line in io.lines(path) do
    local col = line:find(needle, 1, true)
    if col then
      return n, col - 1
    end
    n = n + 1
  end
end

vim.cmd("edit " .. vim.fn.fnameescape(file))
local bufnr = vim.api.nvim_get_current_buf()
local client_id = vim.lsp.start_client({
  name = "stackc",
  cmd = { stackc, "lsp" },
  root_dir = vim.fn.fnamemodify(file, ":h"),
})
check("the client starts", client_id ~= nil, client_id)
check("the client attaches", vim.lsp.buf_attach_client(bufnr, client_id), client_id)

-- Diagnostics, as vim.diagnostic holds them after the server published them.
vim.wait(30000, function()
  return #vim.diagnostic.get(bufnr) > 0
end, 20)
local diagnostics = vim.diagnostic.get(bufnr)
local line, col = locate(file, "= compte")
col = col + 2
check("one diagnostic", #diagnostics == 1, diagnostics)
local d = diagnostics[1] or {}
check("at the mistake", d.lnum == line and d.col == col and d.end_lnum == line and d.end_col == col + 6, d)
check("an error", d.severity == vim.diagnostic.severity.ERROR, d.severity)
check("its code and source", d.code == "E0200" and d.source == "stackc", d)
check("its message and fix-it", d.message == "unknown name `compte`\nhelp: did you mean `compute`?", d.message)

-- Go to definition: from `database` in the example to the standard library's component.
local use_line, use_col = locate(file, "database wp")
local def_line, def_col = locate(stdlib .. "/database.stack", "component database")
def_col = def_col + #"component "
vim.api.nvim_win_set_cursor(0, { use_line + 1, use_col + 2 })
local params = vim.lsp.util.make_position_params()
local results = vim.lsp.buf_request_sync(bufnr, "textDocument/definition", params, 30000) or {}
local result = (results[client_id] or {}).result or {}
local location = result.uri and result or result[1] or {}
check("definition in the standard library", location.uri == vim.uri_from_fname(stdlib .. "/database.stack"), location)
check("at the component's name", location.range and location.range.start.line == def_line
  and location.range.start.character == def_col and location.range["end"].character == def_col + 8, location)

-- Neovim's own command jumps there.
vim.lsp.buf.definition()
vim.wait(30000, function()
  return vim.api.nvim_buf_get_name(0):match("database%.stack$") ~= nil
end, 20)
local cursor = vim.api.nvim_win_get_cursor(0)
check("vim.lsp.buf.definition() opens the file", vim.api.nvim_buf_get_name(0) == stdlib .. "/database.stack",
  vim.api.nvim_buf_get_name(0))
check("and puts the cursor on the name", cursor[1] == def_line + 1 and cursor[2] == def_col, cursor)

-- Hover on the input, through the same client.
vim.cmd("buffer " .. bufnr)
local engine_line, engine_col = locate(file, "engine")
local hover = vim.lsp.buf_request_sync(bufnr, "textDocument/hover", {
  textDocument = { uri = vim.uri_from_bufnr(bufnr) },
  position = { line = engine_line, character = engine_col },
}, 30000) or {}
local contents = (((hover[client_id] or {}).result or {}).contents or {}).value
check("hover on an input", contents == "```stack\ninput engine: \"aurora-mysql\" | \"aurora-postgresql\"\n```\n"
  .. "Input of component `database`, required.", contents)

vim.lsp.stop_client(client_id)
io.stdout:write(string.format("%d passed, %d failed\n", passed, failed))
vim.cmd(failed == 0 and "qa!" or "cq!")
