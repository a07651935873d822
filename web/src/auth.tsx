import { useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { MeDto, UserRole } from "@threatplatform/client";
import { api, onSessionChange, resumed, session, signOut } from "./api";

interface AuthState {
  me: MeDto | undefined;
  signedIn: boolean;
  /** The start-up refresh through the cookie has not answered yet: neither the sign-in page nor the console yet. */
  resuming: boolean;
  loading: boolean;
  isAdmin: boolean;
  signOut: () => Promise<void>;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [signedIn, setSignedIn] = useState(session.current !== null);
  const [resuming, setResuming] = useState(true);
  useEffect(
    () =>
      onSessionChange((tokens) => {
        setSignedIn(tokens !== null);
        if (tokens === null) queryClient.clear();
      }),
    [queryClient],
  );
  useEffect(() => {
    let live = true;
    void resumed.then(() => {
      if (!live) return;
      setSignedIn(session.current !== null);
      setResuming(false);
    });
    return () => {
      live = false;
    };
  }, []);

  const me = useQuery({
    queryKey: ["me", signedIn],
    queryFn: ({ signal }) => api.auth().me(signal),
    enabled: signedIn,
    staleTime: 5 * 60_000,
    retry: false,
  });

  const value: AuthState = {
    me: me.data,
    signedIn,
    resuming,
    loading: signedIn && me.isPending,
    isAdmin: me.data?.role === UserRole.Admin,
    signOut: async () => {
      await signOut();
      queryClient.clear();
    },
  };
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const value = useContext(AuthContext);
  if (!value) throw new Error("useAuth outside AuthProvider");
  return value;
}
