module github.com/xyte-mcp/xyte-mcp

go 1.26.8
