CREATE TABLE "agent_state_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"agent" text NOT NULL,
	"state" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"reason" text NOT NULL,
	"recorded_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "agent_uptime_hourly" (
	"agent" text NOT NULL,
	"hour_start" timestamp with time zone NOT NULL,
	"seconds_up" integer NOT NULL,
	"seconds_known" integer NOT NULL,
	"seconds_stopped" integer NOT NULL,
	"is_complete" boolean NOT NULL,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "agent_uptime_hourly_agent_hour_start_pk" PRIMARY KEY("agent","hour_start")
);
--> statement-breakpoint
CREATE TABLE "uptime_watch" (
	"id" text PRIMARY KEY NOT NULL,
	"watched_until" timestamp with time zone NOT NULL,
	"instance" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "agent_state_log_agent_at_idx" ON "agent_state_log" USING btree ("agent","at");--> statement-breakpoint
CREATE INDEX "agent_uptime_hourly_hour_idx" ON "agent_uptime_hourly" USING btree ("hour_start");