//! Matchmaking events (对接会 / 路演, issue 15 item 2) under `/api/v1/events` — named `fairs` in
//! the code so as not to be confused with the listing and connection event logs.
//!
//! An organiser (an admin, or a member of a technology-transfer agency or a department) creates an
//! event with its venues (main venue and 分会场), theme industries, meeting slot length and
//! registration window; the event moves through [`crate::vocab::EventStatus`] ([`lifecycle`]).
//! Organisations register with the listings they bring ([`registration`]); the engine proposes
//! explained pairs among them and each side marks interest ([`pairs`]); mutual interest requests a
//! meeting, which the organiser schedules into a slot at a table without double-booking any party
//! or table — PostgreSQL's unique keys decide under concurrency ([`schedule`]); roadshow slots
//! present supplies and demands. At the event, check-in and intent agreements, which open or
//! advance a connection attributed to the event ([`intents`]); after it, the report ([`report`]).

pub mod demo;
pub mod handlers;
pub mod input;
pub mod intents;
pub mod lifecycle;
pub mod model;
pub mod pairs;
pub mod registration;
pub mod repo;
pub mod report;
pub mod schedule;
