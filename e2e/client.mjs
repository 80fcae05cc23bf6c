// End-to-end check of xyte-mcp with the official TypeScript MCP client.
//
// Usage:
//   node client.mjs stdio <binary> [args...]   start the server over stdio
//   node client.mjs http <url> [authorization] connect over Streamable HTTP
//
// It runs one scenario against a server in demo mode and prints one line per
// check. The exit status is 0 only when every check passed.

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const [mode, target, ...rest] = process.argv.slice(2);
const failures = [];

function check(name, ok, detail = "") {
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${detail ? ": " + detail : ""}`);
  if (!ok) failures.push(name);
  return ok;
}

function transportFor() {
  if (mode === "stdio") {
    return new StdioClientTransport({
      command: target,
      args: rest,
      // GOCOVERDIR: where a coverage build of the server writes its counters.
      env: {
        PATH: process.env.PATH ?? "",
        XYTE_LOG_LEVEL: "warn",
        ...(process.env.GOCOVERDIR ? { GOCOVERDIR: process.env.GOCOVERDIR } : {}),
      },
      stderr: "inherit",
    });
  }
  if (mode === "http") {
    const headers = rest[0] ? { Authorization: rest[0] } : {};
    return new StreamableHTTPClientTransport(new URL(target), { requestInit: { headers } });
  }
  throw new Error(`unknown mode ${mode}: use stdio or http`);
}

function textOf(result) {
  return (result.content ?? []).filter((c) => c.type === "text").map((c) => c.text).join("\n");
}

async function run() {
  const client = new Client({ name: "xyte-mcp-e2e", version: "1.0.0" });
  await client.connect(transportFor());
  check("initialize", !!client.getServerVersion()?.name,
    `${client.getServerVersion()?.name} ${client.getServerVersion()?.version}`);

  const { tools } = await client.listTools();
  const byName = new Map(tools.map((t) => [t.name, t]));
  check("tools/list", tools.length > 0, `${tools.length} tools`);
  const { resources } = await client.listResources();
  check("resources/list", Array.isArray(resources), `${resources.length} resources`);
  const { resourceTemplates } = await client.listResourceTemplates();
  check("resources/templates/list", resourceTemplates.length > 0,
    `${resourceTemplates.length} templates`);
  const { prompts } = await client.listPrompts();
  check("prompts/list", prompts.length > 0, `${prompts.length} prompts`);

  for (const name of ["list_devices", "get_device", "send_command", "list_device_commands"]) {
    if (!check(`tool ${name} listed`, byName.has(name))) return;
  }

  const list = await client.callTool({ name: "list_devices", arguments: {} });
  const devices = list.structuredContent?.devices ?? list.structuredContent?.items ?? [];
  if (!check("list_devices", !list.isError && devices.length > 0, `${devices.length} devices`)) {
    console.log(textOf(list));
    return;
  }
  const deviceID = devices[0].id ?? devices[0].device_id;

  const get = await client.callTool({ name: "get_device", arguments: { device_id: deviceID } });
  check("get_device", !get.isError && JSON.stringify(get.structuredContent).includes(deviceID));

  const sent = await client.callTool({ name: "send_command",
    arguments: { device_id: deviceID, name: "reboot" } });
  const sc = sent.structuredContent ?? {};
  const commandID = sc.id ?? sc.command_id ?? sc.command?.id;
  check("send_command", !sent.isError && !!commandID, sent.isError ? textOf(sent) : commandID);

  const cmds = await client.callTool({ name: "list_device_commands",
    arguments: { device_id: deviceID } });
  check("list_device_commands shows the command",
    !cmds.isError && JSON.stringify(cmds.structuredContent ?? {}).includes(commandID));

  const template = resourceTemplates.find((t) => /^device:\/\/\{[a-z_]+\}$/.test(t.uriTemplate));
  if (check("device://{id} template listed", !!template)) {
    const uri = template.uriTemplate.replace(/\{[a-z_]+\}/, encodeURIComponent(deviceID));
    const read = await client.readResource({ uri });
    check("resources/read " + template.uriTemplate,
      read.contents.length > 0 && (read.contents[0].text ?? "").includes(deviceID));
  }

  const prompt = prompts[0];
  const promptArgs = {};
  for (const a of prompt.arguments ?? []) {
    if (a.required) promptArgs[a.name] = /device/.test(a.name) ? deviceID : "Boardroom";
  }
  const got = await client.getPrompt({ name: prompt.name, arguments: promptArgs });
  check(`prompts/get ${prompt.name}`, got.messages.length > 0);

  const bad = await client.callTool({ name: "get_device", arguments: { device_id: 42 } });
  check("bad arguments come back as isError naming the argument",
    bad.isError === true && textOf(bad).includes("device_id"), textOf(bad).slice(0, 160));

  await client.close();
}

try {
  await run();
} catch (err) {
  check("scenario ran", false, err?.stack ?? String(err));
}
console.log(failures.length === 0 ? "PASS" : `FAILED: ${failures.join(", ")}`);
process.exit(failures.length === 0 ? 0 : 1);
