CREATE TABLE "agents" (
	"name" text PRIMARY KEY NOT NULL,
	"role" text DEFAULT 'agent' NOT NULL,
	"config" jsonb,
	"desired_state" text NOT NULL,
	"desired_changed_by" text NOT NULL,
	"desired_changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"destroyed_at" timestamp with time zone,
	"crash_looping_since" timestamp with time zone,
	"next_restart_at" timestamp with time zone,
	"restart_attempt" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "crash_records" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"agent" text NOT NULL,
	"container_id" text NOT NULL,
	"crashed_at" timestamp with time zone NOT NULL,
	"exit_code" integer,
	"oom_killed" boolean DEFAULT false NOT NULL,
	"last_lines" jsonb NOT NULL,
	"outcome" text NOT NULL,
	"recorded_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"kind" text NOT NULL,
	"agent" text,
	"actor" text NOT NULL,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "instances" (
	"id" text PRIMARY KEY NOT NULL,
	"hostname" text NOT NULL,
	"pid" integer NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"heartbeat_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "transients" (
	"agent" text PRIMARY KEY NOT NULL,
	"id" text NOT NULL,
	"kind" text NOT NULL,
	"action" text NOT NULL,
	"started_by" text NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deadline_at" timestamp with time zone NOT NULL,
	"owner_instance" text NOT NULL,
	"trace_id" text
);
--> statement-breakpoint
CREATE UNIQUE INDEX "crash_records_exit_idx" ON "crash_records" USING btree ("container_id","crashed_at");--> statement-breakpoint
CREATE INDEX "crash_records_agent_idx" ON "crash_records" USING btree ("agent","crashed_at");--> statement-breakpoint
CREATE INDEX "events_at_idx" ON "events" USING btree ("at");--> statement-breakpoint
CREATE INDEX "events_agent_idx" ON "events" USING btree ("agent","at");