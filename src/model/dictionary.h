// Dictionaries: the interners of one data set, one per id namespace, plus the
// people registry. Owned by whoever owns the ingest (a run, a validate, the
// server); the engine and writers borrow it to turn ids back into strings.
#pragma once
#include <vector>

#include "base/intern.h"
#include "model/events.h"

namespace interdict {

struct Dictionaries {
  Interner msisdn;
  Interner person;
  Interner account;
  Interner device;
  Interner cell;
  Interner outlet;
  Interner bank;
  Interner op;
  Interner region;
  Interner txn;
  Interner tmpl;
  Interner report;
  Interner fraud_type;

  // people.csv rows indexed by PersonId; persons seen only in openings or
  // reports have a default Person (id kNoId).
  std::vector<Person> people;

  const Person* FindPerson(PersonId id) const {
    return id < people.size() && people[id].id != kNoId ? &people[id] : nullptr;
  }
};

}  // namespace interdict
