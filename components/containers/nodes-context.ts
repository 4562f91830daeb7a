"use client";

import { createContext, useContext } from "react";
import type { NodeView } from "@/server/contracts/nodes";

/** The runtime's nodes, for rows that offer node actions (null while the engine is away). */
export const NodesContext = createContext<NodeView[] | null>(null);

export const useNodes = () => useContext(NodesContext);
