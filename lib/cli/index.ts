/** solohub/cli: the task runner every script in tasks/ uses. */
export * as Task from "./Task.ts"
